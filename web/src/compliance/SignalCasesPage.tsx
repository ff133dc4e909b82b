import { Link, useSearchParams } from 'react-router';
import { Alert } from '../ui/Alert';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { useDocumentTitle } from '../ui/title';
import { DataTable } from '../ui/DataTable';
import { formatDate, formatDateTime } from '../patients/patients-api';
import { DIMENSION_LABELS, useSignalCases, valueLabel, windowFrom, type SignalDimension } from './compliance-api';
import '../patients/patients.css';
import './compliance.css';

const PRIORITY_WORDS: Record<string, string> = { urgent: 'Urgent', high: 'High', routine: 'Routine' };

/** The treatments behind one row of the signals report, each with its patient and the flags that make it a case. */
export default function SignalCasesPage() {
  const [params] = useSearchParams();
  const dimension = (params.get('dimension') ?? 'lot') as SignalDimension;
  const value = params.get('value') ?? '';
  const windowDays = windowFrom(params.get('window'));
  const cases = useSignalCases(dimension, value, windowDays);
  const what = cases.data ? `${DIMENSION_LABELS[dimension]} ${valueLabel(cases.data)}` : DIMENSION_LABELS[dimension] ?? 'Signal';
  useDocumentTitle(`Cases: ${what}`);
  const back = `/signals?window=${windowDays}`;

  if (!(dimension in DIMENSION_LABELS) || !value) {
    return (
      <>
        <h1>Cases behind a signal</h1>
        <Alert>This link does not name a value. <Link to={back}>Back to the signals</Link>.</Alert>
      </>
    );
  }
  return (
    <>
      <p>
        <Link to={back}>← Safety signals</Link>
      </p>
      <h1>Cases: {what}</h1>
      {cases.isPending && <Loading label="Loading the cases…" />}
      {cases.isError && <Alert>{describeError(cases.error)}</Alert>}
      {cases.data && (
        <>
          <p>
            In the last {cases.data.windowDays} days ({formatDate(cases.data.from)} to {formatDate(cases.data.to)}): <strong>{cases.data.events}</strong> of{' '}
            <strong>{cases.data.exposures}</strong> treatment{cases.data.exposures === 1 ? '' : 's'} had an urgent or late-onset flag.
            {cases.data.cases.some((c) => !c.inWindow) && ' Treatments performed before the window are listed too when their late-onset flag falls in the lot-cluster window.'}
          </p>
          {cases.data.cases.length === 0 ? (
            <p className="muted">No case: none of these treatments had an urgent or late-onset flag.</p>
          ) : (
            <DataTable region={{ label: 'Cases' }} className="data" captionClassName="visually-hidden" caption={<>The treatments behind {what}, newest first, with their flags</>} columns={['Treatment', 'Patient', 'Product and lot', 'Practitioner', 'Flags']}>
              {cases.data.cases.map((c) => (
                <tr key={c.treatmentId}>
                  <th scope="row">
                    {formatDateTime(c.performedAt)}
                    <span className="muted"> · {c.procedure}</span>
                    {!c.inWindow && <span className="muted"> (before the window)</span>}
                  </th>
                  <td>
                    <Link to={`/patients/${c.patientId}`}>{c.patientName}</Link>
                    {c.patientErased && <span className="muted"> (erased)</span>}
                  </td>
                  <td>
                    {c.product}
                    <span className="muted"> · lot {c.lotNumber ?? 'not recorded'}</span>
                  </td>
                  <td>{c.practitionerName ?? 'Not recorded'}</td>
                  <td>
                    <ul className="case-flags">
                      {c.flags.map((f) => (
                        <li key={f.id}>
                          <Link to={`/flags/${f.id}`}>
                            {PRIORITY_WORDS[f.priority] ?? f.priority}: {f.reason}
                          </Link>{' '}
                          <span className="muted">
                            ({f.status}
                            {f.outcome ? `, ${f.outcome.replace(/_/g, ' ')}` : ''}, {formatDate(f.createdAt)})
                          </span>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </>
      )}
    </>
  );
}
