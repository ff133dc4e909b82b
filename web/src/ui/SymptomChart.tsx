import { useMemo } from 'react';
import { useUPlot } from './useUPlot';
import { DataTable } from './DataTable';
import './symptom-chart.css';

/** The five symptoms a check-in asks about, scored 0 (none) to 4 (severe). */
export const SYMPTOMS = ['bruising', 'redness', 'itching', 'burning', 'pain'] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export const SYMPTOM_LABELS: Record<Symptom, string> = {
  bruising: 'Bruising',
  redness: 'Redness',
  itching: 'Itching',
  burning: 'Burning',
  pain: 'Pain',
};

/** Warning signs in the words a practitioner reads them. */
export const WARNING_SIGN_LABELS: Record<string, string> = {
  fever: 'Fever',
  discharge: 'Discharge (pus)',
  spreading_redness: 'Spreading redness',
  new_lump: 'New lump',
  skin_change: 'Skin colour change',
  airway_swelling: 'Swelling of lips, tongue or throat, or trouble breathing',
  hives: 'Hives',
};

export function warningSignLabel(sign: string): string {
  return WARNING_SIGN_LABELS[sign] ?? sign.replace(/_/g, ' ');
}

export interface SymptomAnswer {
  /** Days since treatment. */
  day: number;
  /** When the answer came (ISO). */
  at: string;
  scores: Partial<Record<Symptom, number | null>>;
  warningSigns: string[];
}

/** The protocol's expected course as the API gives it: a score up to max is usual through throughDay. */
export type ExpectedCourse = Partial<Record<Symptom, Array<{ throughDay: number; max: number }>>>;

export interface SymptomChartProps {
  answers: SymptomAnswer[];
  expected?: ExpectedCourse;
  /** Names the chart (figure caption and table caption), e.g. "Symptoms of Jane Doe since 3 March". */
  label: string;
}

/** One colour per symptom, shared by every symptom chart. */
export const SYMPTOM_COLOURS: Record<Symptom, string> = {
  bruising: '#6b3fa0',
  redness: '#b3261e',
  itching: '#1f7a4d',
  burning: '#9a4d00',
  pain: '#1f5fbf',
};

/** The highest usual score on a day by the expected course; 0 after the last band; null without a course. */
export function expectedMax(expected: ExpectedCourse | undefined, symptom: Symptom, day: number): number | null {
  const bands = expected?.[symptom];
  if (!bands) return null;
  for (const band of bands) if (day <= band.throughDay) return band.max;
  return 0;
}

/**
 * The patient's symptom scores over the days since treatment, one small chart per symptom
 * (each answer a point, the expected course a shaded band, warning signs a red line on their
 * day), with a table of the same values beside it for screen readers and anyone who prefers
 * numbers. uPlot is loaded only when a chart is shown, so it stays out of the first load.
 */
export function SymptomChart({ answers, expected, label }: SymptomChartProps) {
  // Keyed by content so a parent's new-but-equal arrays do not redraw the charts.
  const key = JSON.stringify([answers, expected ?? null]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const sorted = useMemo(() => [...answers].sort((a, b) => a.day - b.day || a.at.localeCompare(b.at)), [key]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableExpected = useMemo(() => expected, [key]);
  // One day axis for every symptom, so the charts line up and compare.
  const lastDay = Math.max(1, ...sorted.map((a) => a.day), ...SYMPTOMS.map((s) => (expected?.[s]?.at(-1)?.throughDay ?? 0) + 1));
  return (
    <figure className="symptom-chart">
      <figcaption>{label}</figcaption>
      {sorted.length === 0 ? (
        <p className="muted">No answers yet.</p>
      ) : (
        <>
          <p className="muted symptom-chart-key" aria-hidden="true">
            Dots: the patient's scores (0 none – 4 severe). Shaded: usual for this protocol. Red line: a warning
            sign that day.
          </p>
          <div className="symptom-chart-grid" aria-hidden="true" data-testid="symptom-chart-canvas">
            {SYMPTOMS.map((symptom) => (
              <SymptomPlot key={symptom} symptom={symptom} answers={sorted} expected={stableExpected} lastDay={lastDay} />
            ))}
          </div>
        </>
      )}
      {sorted.length > 0 && <SymptomTable answers={sorted} expected={expected} label={label} />}
    </figure>
  );
}

function SymptomTable({ answers, expected, label }: Required<Pick<SymptomChartProps, 'answers' | 'label'>> & { expected?: ExpectedCourse }) {
  return (
    <DataTable
      wrap="table-scroll"
      region={{ label: `${label}: table` }}
      className="symptom-table"
      captionClassName="visually-hidden"
      caption={<>{label}: scores 0 (none) to 4 (severe), usual maximum in brackets</>}
      columns={['Day', ...SYMPTOMS.map((s) => SYMPTOM_LABELS[s]), 'Warning signs']}
    >
      {answers.map((answer) => (
        <tr key={`${answer.at}-${answer.day}`}>
          <th scope="row">
            Day {answer.day}
            <span className="muted"> · {new Date(answer.at).toLocaleDateString()}</span>
          </th>
          {SYMPTOMS.map((s) => {
            const score = answer.scores[s];
            const max = expectedMax(expected, s, answer.day);
            const above = score != null && max != null && score > max;
            return (
              <td key={s} data-symptom={s} className={above ? 'above-expected' : undefined}>
                {score == null ? '–' : score}
                {max != null && <span className="muted"> ({max})</span>}
                {above && <span className="visually-hidden"> above usual</span>}
                {above && <span aria-hidden="true"> ▲</span>}
              </td>
            );
          })}
          <td>{answer.warningSigns.length ? answer.warningSigns.map(warningSignLabel).join(', ') : 'None'}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function SymptomPlot({ symptom, answers, expected, lastDay }: { symptom: Symptom; answers: SymptomAnswer[]; expected?: ExpectedCourse; lastDay: number }) {
  const { ref: box, failed } = useUPlot(
    (uPlot) => {
      // One x value per whole day plus any answer day; the band is a step over them.
      const xs = [...new Set([...Array.from({ length: Math.ceil(lastDay) + 1 }, (_, i) => i), ...answers.map((a) => a.day)])].sort(
        (a, b) => a - b,
      );
      const byDay = new Map<number, number | null>();
      for (const a of answers) {
        const score = a.scores[symptom];
        if (score != null) byDay.set(a.day, score);
      }
      const scores = xs.map((x) => byDay.get(x) ?? null);
      const band = xs.map((x) => expectedMax(expected, symptom, x));
      const warningDays = [...new Set(answers.filter((a) => a.warningSigns.length > 0).map((a) => a.day))];
      return {
        options: {
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false, range: [0, Math.ceil(lastDay)] }, y: { range: [0, 4.2] } },
          axes: [
            { size: 28, values: (_u, ticks) => ticks.map((t) => `${t}`), font: '11px system-ui' },
            { size: 24, splits: () => [0, 1, 2, 3, 4], font: '11px system-ui' },
          ],
          series: [
            {},
            {
              label: 'Usual',
              stroke: 'rgba(31,95,191,0.5)',
              fill: 'rgba(31,95,191,0.15)',
              width: 1,
              paths: uPlot.paths.stepped!({ align: -1 }),
              points: { show: false },
            },
            {
              label: SYMPTOM_LABELS[symptom],
              stroke: SYMPTOM_COLOURS[symptom],
              width: 2,
              spanGaps: true,
              points: { show: true, size: 8, fill: SYMPTOM_COLOURS[symptom] },
            },
          ],
          hooks: {
            draw: [
              (u) => {
                const ctx = u.ctx;
                ctx.save();
                ctx.strokeStyle = '#b3261e';
                ctx.lineWidth = 2 * devicePixelRatio;
                ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
                for (const day of warningDays) {
                  const x = Math.round(u.valToPos(day, 'x', true));
                  ctx.beginPath();
                  ctx.moveTo(x, u.bbox.top);
                  ctx.lineTo(x, u.bbox.top + u.bbox.height);
                  ctx.stroke();
                }
                ctx.restore();
              },
            ],
          },
        },
        data: [xs, expected?.[symptom] ? band : xs.map(() => null), scores],
      };
    },
    [symptom, answers, expected, lastDay],
    { height: 130, minWidth: 200 },
  );

  return (
    <div className="symptom-plot">
      <h3 className="symptom-plot-title" style={{ color: SYMPTOM_COLOURS[symptom] }}>
        {SYMPTOM_LABELS[symptom]}
      </h3>
      {failed ? <p className="muted">The chart could not be drawn; the table has the values.</p> : <div ref={box} className="symptom-plot-box" />}
    </div>
  );
}
