import type uPlotType from 'uplot';
import { useUPlot } from '../ui/useUPlot';

export interface ForestRow {
  label: string;
  prr: number;
  lower: number;
  upper: number;
  signal: boolean;
}

const ROW_HEIGHT = 30;
const SIGNAL = '#b3261e';
const PLAIN = '#1f5fbf';

/**
 * A forest plot drawn by uPlot: one row per value, its PRR as a dot (red when a signal) and its
 * 95% interval as a whisker, on a log scale with the line of no difference at 1. Rows run down
 * the page (uPlot's x scale turned vertical), the PRR across. The canvas is hidden from screen
 * readers: the table beside it holds every number.
 */
export function ForestPlot({ rows, label }: { rows: ForestRow[]; label: string }) {
  const key = JSON.stringify(rows);
  const height = 56 + rows.length * ROW_HEIGHT;
  const { ref: box, failed } = useUPlot(
    (uPlot) => {
      const xs = rows.map((_, i) => i);
      const lo = Math.min(1, ...rows.map((r) => r.lower));
      const hi = Math.max(1, ...rows.map((r) => r.upper));
      const range: [number, number] = [10 ** Math.floor(Math.log10(lo) - 0.001), 10 ** Math.ceil(Math.log10(hi) + 0.001)];
      const labelWidth = (w: number) => Math.min(w < 500 ? 110 : 220, Math.max(60, ...rows.map((r) => r.label.length * 7 + 12)));
      const short = (s: string, w: number) => {
        const max = Math.floor((labelWidth(w) - 12) / 7);
        return s.length > max ? `${s.slice(0, Math.max(1, max - 1))}…` : s;
      };
      return {
        options: {
          legend: { show: false },
          cursor: { show: false },
          scales: {
            x: { time: false, ori: 1, dir: 1, range: [-0.6, rows.length - 0.4] },
            y: { ori: 0, distr: 3, log: 10, range },
          },
          axes: [
            {
              scale: 'x',
              side: 3,
              size: (u) => labelWidth(u.width),
              splits: () => xs,
              values: (u) => xs.map((i) => short(rows[i].label, u.width)),
              grid: { show: false },
              ticks: { show: false },
              font: '12px system-ui',
            },
            {
              scale: 'y',
              side: 2,
              size: 36,
              grid: { stroke: '#e3e6ec', width: 1 },
              // uPlot hands null for ticks it leaves unlabelled on a log scale.
              values: (_u, ticks) => ticks.map((t) => (t == null ? '' : t >= 1 ? String(t) : String(Number(t.toPrecision(1))))),
              font: '12px system-ui',
            },
          ],
          series: [
            {},
            // Interval ends: small dots, joined by the whisker drawn below.
            { label: 'Lower', stroke: '#4a5263', paths: () => null, points: { show: true, size: 6, width: 1, fill: '#4a5263' } },
            { label: 'Upper', stroke: '#4a5263', paths: () => null, points: { show: true, size: 6, width: 1, fill: '#4a5263' } },
            { label: 'PRR', stroke: PLAIN, paths: () => null, points: { show: true, size: 11, fill: PLAIN } },
            { label: 'PRR (signal)', stroke: SIGNAL, paths: () => null, points: { show: true, size: 12, fill: SIGNAL } },
          ],
          hooks: {
            // Under the dots: the line of no difference (PRR 1) down the whole plot, and each row's whisker between its interval ends.
            drawAxes: [
              (u: uPlotType) => {
                const ctx = u.ctx;
                ctx.save();
                ctx.strokeStyle = '#4a5263';
                ctx.lineWidth = devicePixelRatio;
                ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
                const one = Math.round(u.valToPos(1, 'y', true));
                ctx.beginPath();
                ctx.moveTo(one, u.bbox.top);
                ctx.lineTo(one, u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.setLineDash([]);
                ctx.strokeStyle = '#1d2330';
                ctx.lineWidth = 2 * devicePixelRatio;
                rows.forEach((r, i) => {
                  const y = Math.round(u.valToPos(i, 'x', true));
                  ctx.beginPath();
                  ctx.moveTo(u.valToPos(r.lower, 'y', true), y);
                  ctx.lineTo(u.valToPos(r.upper, 'y', true), y);
                  ctx.stroke();
                });
                ctx.restore();
              },
            ],
          },
        },
        data: [xs, rows.map((r) => r.lower), rows.map((r) => r.upper), rows.map((r) => (r.signal ? null : r.prr)), rows.map((r) => (r.signal ? r.prr : null))],
      };
    },
    [key],
    { height, minWidth: 260 },
  );

  return (
    <figure className="forest-plot">
      <figcaption>{label}</figcaption>
      {rows.length === 0 ? (
        <p className="muted">No value has a PRR with an interval to draw (it needs events both with the value and in the rest).</p>
      ) : failed ? (
        <p className="muted">The chart could not be drawn; the table below has the values.</p>
      ) : (
        <>
          <p className="muted forest-key" aria-hidden="true">
            Dot: PRR (red: a signal). Whisker: its 95% confidence interval. Dashed line: PRR 1, no difference from the rest. Log scale.
          </p>
          <div ref={box} className="forest-plot-box" aria-hidden="true" data-testid="forest-plot-canvas" />
        </>
      )}
    </figure>
  );
}
