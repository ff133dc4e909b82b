import { useSearchParams } from 'react-router';
import { Select } from '../ui/Select';
import { Alert } from '../ui/Alert';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { SYMPTOM_LABELS, SYMPTOMS, warningSignLabel } from '../ui/SymptomChart';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { DataTable } from '../ui/DataTable';
import { percent, useCourseReport, type CourseGroup } from './compliance-api';
import { CourseCharts } from './CourseChart';
import '../flags/flags.css';
import '../patients/patients.css';
import './compliance.css';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const groupId = (g: CourseGroup) => JSON.stringify([g.procedure, g.product]);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What the clinic's patients really go through after a procedure and product, against the
 * protocol's expected course: charts and tables per check-in day, how long each symptom lasted,
 * and warning signs of infection, with the numbers of patients and sessions behind them.
 */
export default function CourseReportPage() {
  useDocumentTitle('Course report');
  const [params, setParams] = useSearchParams();
  const from = DATE.test(params.get('from') ?? '') ? params.get('from')! : '';
  const to = DATE.test(params.get('to') ?? '') ? params.get('to')! : '';
  const report = useCourseReport({ from, to });
  const set = (key: string, value: string) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value) next.set(key, value);
      else next.delete(key);
      return next;
    });
  const groups = report.data?.groups ?? [];
  const chosen = groups.find((g) => groupId(g) === params.get('group')) ?? groups[0];

  return (
    <>
      <h1>Course report</h1>
      <p className="muted">The clinic's own answers to its check-ins, per procedure and product, beside the course the protocol expects.</p>
      <form className="course-filters" aria-label="Choose the treatments" onSubmit={(e) => e.preventDefault()}>
        {groups.length > 0 && (
          <Select
            label="Procedure and product"
            value={chosen ? groupId(chosen) : null}
            onChange={(v) => set('group', v)}
            options={groups.map((g) => ({ id: groupId(g), label: `${g.procedure} · ${g.product}` }))}
          />
        )}
        <TextField label="Treated from" type="date" value={from} onChange={(v) => set('from', DATE.test(v) ? v : '')} />
        <TextField label="Treated until" type="date" value={to} onChange={(v) => set('to', DATE.test(v) ? v : '')} />
      </form>
      {report.isPending && <Loading label="Counting the answers…" />}
      {report.isError && <Alert>{describeError(report.error)}</Alert>}
      {report.data && groups.length === 0 && <p className="muted">No answers yet from treatments in this period.</p>}
      {chosen && <Group group={chosen} method={report.data!.method} />}
    </>
  );
}

function Group({ group: g, method }: { group: CourseGroup; method: NonNullable<ReturnType<typeof useCourseReport>['data']>['method'] }) {
  const title = `${g.procedure} with ${g.product}`;
  const answersSeen = g.steps.reduce((n, s) => n + s.answering, 0);
  return (
    <section aria-labelledby="group-heading">
      <h2 id="group-heading">{title}</h2>
      <p data-testid="course-numbers">
        Answers from <strong>{plural(g.treatments, 'session')}</strong> of <strong>{plural(g.patients, 'patient')}</strong>: {plural(answersSeen, 'answered check-in')} on{' '}
        {plural(g.steps.length, 'day')} after treatment.
      </p>
      <Temporary group={g} />
      <Infection group={g} />
      <CourseCharts group={g} label={`Share of courses with each symptom by day since treatment: ${title}`} />
      <DayTable group={g} title={title} />
      <DurationTable group={g} title={title} />
      <details className="method">
        <summary>How these numbers are computed</summary>
        <dl className="details">
          <dt>A course</dt>
          <dd>{method.unit}</dd>
          <dt>Day</dt>
          <dd>{method.day}</dd>
          <dt>Above the usual course</dt>
          <dd>{method.aboveExpected}</dd>
          <dt>How long</dt>
          <dd>{method.duration}</dd>
          <dt>Warning signs</dt>
          <dd>{method.warningSigns}</dd>
        </dl>
      </details>
    </section>
  );
}

/** "Are the side effects temporary?" in the clinic's own numbers. */
function Temporary({ group: g }: { group: CourseGroup }) {
  const had = SYMPTOMS.filter((s) => g.durations[s].withSymptom > 0);
  const beyond = SYMPTOMS.reduce((n, s) => n + g.durations[s].beyondWindow, 0);
  const latest = Math.max(0, ...had.map((s) => g.durations[s].lastDayMax ?? 0));
  return (
    <div className="answer-words" data-testid="answer-temporary">
      <h3>Are the side effects temporary?</h3>
      <p>
        {had.length === 0
          ? 'No patient in these courses reported a side effect above none.'
          : beyond === 0
            ? `In this clinic's courses, yes: every side effect reported had gone by the end of the days the protocol expects it (the last one seen on day ${latest}).`
            : `Mostly: ${plural(beyond, 'symptom course')} still reported a side effect after the days the protocol expects it; the rest had gone within them.`}
      </p>
      {had.length > 0 && (
        <ul>
          {had.map((s) => {
            const d = g.durations[s];
            return (
              <li key={s}>
                {SYMPTOM_LABELS[s]}: {d.withSymptom} of {d.courses} ({percent(d.withSymptom / Math.max(1, d.courses), 0)}), last reported on day {d.lastDayMedian} for half of them
                {d.lastDayP90 != null && d.lastDayP90 !== d.lastDayMedian ? ` and by day ${d.lastDayP90} for 9 in 10` : ''}
                {d.expectedWindowEnd != null && d.expectedWindowEnd >= 0 ? `; expected until day ${d.expectedWindowEnd}` : ''}
                {d.beyondWindow > 0 ? `; ${d.beyondWindow} past that` : ''}.
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** "Is the infection risk minimal?": courses that reported a sign of infection, with the rule of three when none did. */
function Infection({ group: g }: { group: CourseGroup }) {
  const w = g.warningSigns;
  const signs = Object.entries(w.bySign).filter(([, n]) => n > 0);
  return (
    <div className="answer-words" data-testid="answer-infection">
      <h3>Is the infection risk minimal?</h3>
      <p>
        {w.withInfectionSign === 0
          ? `None of ${plural(w.courses, 'course')} reported a sign of infection (fever, pus, spreading redness or a new hard lump).${
              w.courses > 0 ? ` With ${w.courses} courses the true rate is, at 95% confidence, below ${percent(Math.min(1, 3 / w.courses), 1)} (the rule of three).` : ''
            }`
          : `${w.withInfectionSign} of ${plural(w.courses, 'course')} (${percent(w.shareInfectionSign)}) reported a sign of infection (fever, pus, spreading redness or a new hard lump); every warning sign raises a flag for a practitioner, and the signals page watches lots for clusters.`}
      </p>
      {signs.length > 0 && (
        <p>
          Warning signs reported: {signs.map(([sign, n]) => `${warningSignLabel(sign)} in ${plural(n, 'course')}`).join(', ')}.
        </p>
      )}
    </div>
  );
}

function DayTable({ group: g, title }: { group: CourseGroup; title: string }) {
  return (
    <>
      <h3 id="days-heading">By day since treatment</h3>
      <DataTable
        region={{ labelledBy: 'days-heading' }}
        className="data"
        captionClassName="visually-hidden"
        caption={<>{title}: per day, courses answering and, per symptom, how many had it and how many were above the usual course</>}
        columns={['Day', 'Courses (patients)', ...SYMPTOMS.map((s) => SYMPTOM_LABELS[s])]}
      >
        {g.steps.map((step) => (
          <tr key={step.day}>
            <th scope="row">Day {step.day}</th>
            <td>
              {step.answering} ({step.patients})
            </td>
            {SYMPTOMS.map((s) => {
              const x = step.symptoms[s];
              return (
                <td key={s} data-symptom={s}>
                  {x.withSymptom} of {x.answered} <span className="muted">({percent(x.share, 0)})</span>
                  {x.aboveExpected > 0 && <span className="muted"> · {x.aboveExpected} above usual</span>}
                </td>
              );
            })}
          </tr>
        ))}
      </DataTable>
    </>
  );
}

function DurationTable({ group: g, title }: { group: CourseGroup; title: string }) {
  return (
    <>
      <h3 id="durations-heading">How long each symptom lasted</h3>
      <DataTable region={{ labelledBy: 'durations-heading' }} className="data" captionClassName="visually-hidden" caption={<>{title}: per symptom, the last day it was reported, against the days the protocol expects it</>} columns={['Symptom', 'Courses with it', 'Last day (median)', 'Last day (9 in 10)', 'Expected until', 'Past that']}>
        {SYMPTOMS.map((s) => {
          const d = g.durations[s];
          return (
            <tr key={s}>
              <th scope="row">{SYMPTOM_LABELS[s]}</th>
              <td>
                {d.withSymptom} of {d.courses}
              </td>
              <td>{d.lastDayMedian ?? '–'}</td>
              <td>{d.lastDayP90 ?? '–'}</td>
              <td>{d.expectedWindowEnd == null ? 'Protocols differ' : d.expectedWindowEnd < 0 ? 'Never usual' : `Day ${d.expectedWindowEnd}`}</td>
              <td>
                {d.beyondWindow} <span className="muted">({percent(d.shareBeyondWindow, 0)})</span>
              </td>
            </tr>
          );
        })}
      </DataTable>
    </>
  );
}
