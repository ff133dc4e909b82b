import { Link, useSearchParams } from 'react-router';
import { Select } from '../ui/Select';
import { Alert } from '../ui/Alert';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { useDocumentTitle } from '../ui/title';
import { DataTable } from '../ui/DataTable';
import { formatDate } from '../patients/patients-api';
import { DIMENSION_LABELS, percent, stat, useSignals, valueLabel, windowFrom, WINDOWS, type SignalDimension, type SignalRow } from './compliance-api';
import { ForestPlot, type ForestRow } from './ForestPlot';
import '../flags/flags.css';
import '../patients/patients.css';
import './compliance.css';

const ANY = 'any';
const DIMENSIONS = Object.keys(DIMENSION_LABELS) as SignalDimension[];
/** The forest plot shows the signals first, then the highest PRRs, up to this many rows. */
const PLOT_ROWS = 24;

export function casesPath(r: Pick<SignalRow, 'dimension' | 'value'>, windowDays: number): string {
  return `/signals/cases?${new URLSearchParams({ dimension: r.dimension, value: r.value, window: String(windowDays) })}`;
}

function prrText(r: SignalRow) {
  const s = r.stats;
  if (s.prrInfinite) return <>∞ <span className="cell-note muted">no events in the rest</span></>;
  if (s.prr == null) return <>– <span className="cell-note muted">{s.prrNote ?? 'not computable'}</span></>;
  return s.prrLower != null && s.prrUpper != null ? `${stat(s.prr)} (${stat(s.prrLower)}–${stat(s.prrUpper)})` : stat(s.prr);
}

/**
 * Safety signals of the clinic: every lot, product, practitioner, technique and formula (and
 * the clinic against its previous period) with its 2×2 numbers, PRR and interval, chi-square;
 * the lot-cluster alerts; a forest plot; each row opens the cases behind it.
 */
export default function SignalsPage() {
  useDocumentTitle('Safety signals');
  const [params, setParams] = useSearchParams();
  const windowDays = windowFrom(params.get('window'));
  const dimension = (DIMENSIONS as string[]).includes(params.get('dimension') ?? '') ? (params.get('dimension') as SignalDimension) : null;
  const report = useSignals(windowDays);
  const set = (key: string, value: string | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value === null || value === ANY) next.delete(key);
      else next.set(key, value);
      return next;
    });

  return (
    <>
      <h1>Safety signals</h1>
      <form className="queue-filters" aria-label="Choose the window and the values" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="Window"
          value={String(windowDays)}
          onChange={(v) => set('window', v)}
          options={[...new Set([...WINDOWS, windowDays])].sort((a, b) => a - b).map((w) => ({ id: String(w), label: `Last ${w} days` }))}
        />
        <Select
          label="Values"
          value={dimension ?? ANY}
          onChange={(v) => set('dimension', v)}
          options={[{ id: ANY, label: 'Every kind' }, ...DIMENSIONS.map((d) => ({ id: d, label: DIMENSION_LABELS[d] }))]}
        />
      </form>
      {report.isPending && <Loading label="Computing the signals…" />}
      {report.isError && <Alert>{describeError(report.error)}</Alert>}
      {report.data && <Report report={report.data} dimension={dimension} />}
    </>
  );
}

function Report({ report: r, dimension }: { report: NonNullable<ReturnType<typeof useSignals>['data']>; dimension: SignalDimension | null }) {
  const rows = r.values.filter((v) => !dimension || v.dimension === dimension);
  const clusters = r.values.filter((v) => v.cluster);
  const plotted: ForestRow[] = rows
    .filter((v) => v.stats.prr != null && v.stats.prr > 0 && v.stats.prrLower != null && v.stats.prrUpper != null)
    .sort((a, b) => Number(b.signal) - Number(a.signal) || b.stats.prr! - a.stats.prr!)
    .slice(0, PLOT_ROWS)
    .map((v) => ({ label: `${DIMENSION_LABELS[v.dimension]} ${valueLabel(v)}`, prr: v.stats.prr!, lower: v.stats.prrLower!, upper: v.stats.prrUpper!, signal: v.signal }));

  return (
    <>
      <p>
        From {formatDate(r.from)} to {formatDate(r.to)}: <strong>{r.totals.exposures}</strong> treatment{r.totals.exposures === 1 ? '' : 's'}, of which{' '}
        <strong>{r.totals.events}</strong> had an urgent or late-onset flag.{' '}
        {r.signals.length === 0 ? 'No value is a signal.' : <strong>{r.signals.length === 1 ? '1 value is a signal.' : `${r.signals.length} values are signals.`}</strong>}
      </p>

      <section aria-labelledby="clusters-heading">
        <h2 id="clusters-heading">Lot-cluster alerts</h2>
        {clusters.length === 0 ? (
          <p className="muted">
            No cluster: fewer than {r.method.cluster.minPatients} patients with late-onset flags on one lot or in the clinic within {r.method.cluster.windowDays} days.
          </p>
        ) : (
          <ul className="cluster-list">
            {clusters.map((v) => (
              <li key={`${v.dimension}-${v.value}`} className="alert alert-error">
                <strong>
                  {v.dimension === 'clinic' ? 'The clinic as a whole' : `${DIMENSION_LABELS[v.dimension]} ${valueLabel(v)}`}
                </strong>
                : {v.cluster!.lateOnsetPatients} patients with late-onset flags between {formatDate(v.cluster!.firstAt)} and {formatDate(v.cluster!.lastAt)}.{' '}
                <Link to={casesPath(v, r.windowDays)}>See the cases</Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="plot-heading">
        <h2 id="plot-heading">PRR with 95% intervals</h2>
        <ForestPlot rows={plotted} label={`Proportional reporting ratio by value, last ${r.windowDays} days${plotted.length < rows.length ? ` (${plotted.length} of ${rows.length} values: those with an interval)` : ''}`} />
      </section>

      <section aria-labelledby="values-heading">
        <h2 id="values-heading">Every value</h2>
        <DataTable region={{ labelledBy: 'values-heading' }} className="data signals-table" captionClassName="visually-hidden" caption="Signals by value: cases (a), treatments (exposures), rates, PRR with its 95% interval, chi-square and whether it is a signal" columns={['Value', 'Cases', 'Treatments', 'Rate', 'Rate compared with', 'PRR (95% CI)', 'χ²', 'Signal']}>
          {rows.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                No treatments in this window.
              </td>
            </tr>
          )}
          {rows.map((v) => (
            <tr key={`${v.dimension}-${v.value}`} className={v.signal ? 'signal-row' : undefined}>
              <th scope="row">
                <span className="muted">{DIMENSION_LABELS[v.dimension]}</span> {valueLabel(v)}
                <span className="cell-note muted">{v.why.join('; ')}</span>
              </th>
              <td>
                <Link to={casesPath(v, r.windowDays)} aria-label={`${v.stats.a} case${v.stats.a === 1 ? '' : 's'} of ${DIMENSION_LABELS[v.dimension]} ${valueLabel(v)}`}>
                  {v.stats.a}
                </Link>
              </td>
              <td>{v.stats.exposures}</td>
              <td>{percent(v.stats.rate)}</td>
              <td>
                {percent(v.stats.restRate)} <span className="muted">({v.stats.c} of {v.stats.c + v.stats.d}{v.dimension === 'clinic' ? ', previous window' : ''})</span>
              </td>
              <td>{prrText(v)}</td>
              <td>{v.stats.chiSquare == null ? '–' : stat(v.stats.chiSquare)}</td>
              <td>{v.signal ? <span className="tag tag-signal">Signal</span> : 'No'}</td>
            </tr>
          ))}
        </DataTable>
      </section>

      <section aria-labelledby="detected-heading">
        <h2 id="detected-heading">Recorded and alerted</h2>
        {r.detected.length === 0 ? (
          <p className="muted">The scheduled detection has not recorded a signal in this clinic.</p>
        ) : (
          <DataTable region={{ labelledBy: 'detected-heading' }} className="data" columns={['Value', 'Kind', 'First found', 'Last seen']}>
            {r.detected.map((d) => (
              <tr key={d.id}>
                <th scope="row">
                  <Link to={casesPath(d, d.windowDays)}>
                    {DIMENSION_LABELS[d.dimension]} {d.dimension === 'clinic' ? '' : (r.values.find((v) => v.dimension === d.dimension && v.value === d.value)?.label ?? d.value)}
                  </Link>
                </th>
                <td>{d.kind === 'cluster' ? 'Cluster of late-onset flags' : 'Disproportionality'}</td>
                <td>{formatDate(d.firstDetectedAt)}</td>
                <td>{formatDate(d.lastSeenAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <details className="method">
        <summary>How these numbers are computed</summary>
        <dl className="details">
          <dt>Cases</dt>
          <dd>{r.method.events}</dd>
          <dt>Treatments</dt>
          <dd>{r.method.exposures}</dd>
          <dt>Compared with</dt>
          <dd>{r.method.comparison}</dd>
          <dt>The table</dt>
          <dd>{r.method.table}</dd>
          <dt>PRR</dt>
          <dd>{r.method.prr}</dd>
          <dt>Interval</dt>
          <dd>{r.method.prrInterval}</dd>
          <dt>χ²</dt>
          <dd>{r.method.chiSquare}</dd>
          <dt>A signal</dt>
          <dd>{r.method.criteria.rule}; {r.method.cluster.rule}.</dd>
        </dl>
      </details>
    </>
  );
}
