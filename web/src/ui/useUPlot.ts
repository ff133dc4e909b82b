import { useEffect, useRef, useState, type DependencyList } from 'react';
import type uPlotType from 'uplot';

type UPlotModule = typeof uPlotType;
let uPlotLoad: Promise<UPlotModule> | undefined;
/** uPlot and its stylesheet, loaded once when a chart is first shown (kept out of the first load). */
export function loadUPlot(): Promise<UPlotModule> {
  uPlotLoad ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  return uPlotLoad;
}

/**
 * A uPlot chart in the element the returned ref points at: uPlot is loaded on first use, the
 * chart is built from `build(uPlot, width)` when `deps` change, follows the element's width,
 * and is destroyed with the component. `failed` is true when uPlot could not be loaded or drawn
 * (the page shows its table instead).
 */
export function useUPlot(
  build: (uPlot: UPlotModule, width: number) => { options: Omit<uPlotType.Options, 'width' | 'height'>; data: uPlotType.AlignedData },
  deps: DependencyList,
  size: { height: number; minWidth: number },
) {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let plot: uPlotType | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    const width = () => Math.max(el.clientWidth, size.minWidth);
    loadUPlot()
      .then((uPlot) => {
        if (cancelled) return;
        const { options, data } = build(uPlot, width());
        plot = new uPlot({ ...options, width: width(), height: size.height }, data, el);
        observer = new ResizeObserver(() => plot?.setSize({ width: width(), height: size.height }));
        observer.observe(el);
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return { ref, failed };
}
