import { SYMPTOM_COLOURS as COLOURS, SYMPTOM_LABELS, SYMPTOMS, type Symptom } from '../ui/SymptomChart';
import { useUPlot } from '../ui/useUPlot';
import type { CourseGroup } from './compliance-api';

const HEIGHT = 150;

/**
 * The clinic's real course of each symptom beside the expected one, drawn by uPlot: per
 * check-in day the share of answering courses with the symptom (solid) and above the
 * protocol's usual maximum (dashed), over the days the protocol says it is usual (shaded).
 * The day axis is stretched near the treatment (asinh), where most happens. Hidden from screen
 * readers: the tables below have every number.
 */
export function CourseCharts({ group, label }: { group: CourseGroup; label: string }) {
  const lastDay = Math.max(1, ...group.steps.map((s) => s.day));
  return (
    <figure className="course-figure">
      <figcaption>{label}</figcaption>
      <p className="muted" aria-hidden="true">
        Solid: share of patients' courses with the symptom that day. Dashed: share above the usual course. Shaded: the days the protocol expects it.
      </p>
      <div className="course-grid" aria-hidden="true" data-testid="course-chart-canvas">
        {SYMPTOMS.map((s) => (
          <SymptomCoursePlot key={s} symptom={s} group={group} lastDay={lastDay} />
        ))}
      </div>
    </figure>
  );
}

function SymptomCoursePlot({ symptom, group, lastDay }: { symptom: Symptom; group: CourseGroup; lastDay: number }) {
  const key = JSON.stringify([group.steps, group.durations[symptom], lastDay]);
  const { ref: box, failed } = useUPlot(
    (uPlot) => {
      const byDay = new Map(group.steps.map((s) => [s.day, s.symptoms[symptom]]));
      const xs = [...new Set([...Array.from({ length: lastDay + 1 }, (_, i) => i), ...byDay.keys()])].sort((a, b) => a - b);
      const windowEnd = group.durations[symptom].expectedWindowEnd;
      const band = xs.map((x) => (windowEnd == null ? null : windowEnd >= 0 && x <= windowEnd ? 100 : 0));
      const pct = (v: number | null | undefined) => (v == null ? null : v * 100);
      return {
        options: {
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false, distr: 4, asinh: 1, range: [0, lastDay] }, y: { range: [0, 100] } },
          axes: [
            // uPlot hands null for a tick it leaves unlabelled.
            { size: 30, space: 16, splits: () => [0, ...group.steps.map((s) => s.day)], values: (_u, ticks) => ticks.map((t) => (t == null ? '' : String(t))), font: '11px system-ui' },
            { size: 48, splits: () => [0, 50, 100], values: (_u, ticks) => ticks.map((t) => (t == null ? '' : `${t}%`)), font: '11px system-ui' },
          ],
          series: [
            {},
            {
              label: 'Usual',
              stroke: 'rgba(31,95,191,0.45)',
              fill: 'rgba(31,95,191,0.12)',
              width: 1,
              paths: uPlot.paths.stepped!({ align: 1 }),
              points: { show: false },
            },
            { label: 'With the symptom', stroke: COLOURS[symptom], width: 2, spanGaps: true, points: { show: true, size: 7, fill: COLOURS[symptom] } },
            { label: 'Above the usual course', stroke: '#1d2330', width: 1.5, dash: [5, 4], spanGaps: true, points: { show: true, size: 5, fill: '#1d2330' } },
          ],
        },
        data: [xs, band, xs.map((x) => pct(byDay.get(x)?.share)), xs.map((x) => pct(byDay.get(x)?.shareAboveExpected))],
      };
    },
    [key, symptom],
    { height: HEIGHT, minWidth: 220 },
  );

  return (
    <div className="course-plot">
      <h4 style={{ color: COLOURS[symptom] }}>{SYMPTOM_LABELS[symptom]}</h4>
      {failed ? <p className="muted">The chart could not be drawn; the table has the values.</p> : <div ref={box} className="course-plot-box" />}
    </div>
  );
}
