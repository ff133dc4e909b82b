import { useEffect, useMemo, useRef, useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { Pager } from '../ui/Pager';
import { useStaff } from '../ui/staff';
import { useDocumentTitle } from '../ui/title';
import { DataTable } from '../ui/DataTable';
import { dateTime } from './period';
import './compliance.css';

type Report = components['schemas']['ChainReportDto'];
type Checkpoint = components['schemas']['ListedCheckpointDto'];

const CHECKPOINTS_PAGE = 20;

type Run =
  | { state: 'idle' }
  | { state: 'running'; checked: number; total: number }
  | { state: 'done'; report: Report; at: Date }
  | { state: 'failed'; message: string };

/** What each reason the API gives means, in words. */
const REASONS: Record<string, string> = {
  altered: 'the event was changed after it was written: its content no longer gives the hash it was chained with',
  missing: 'an event is missing: the sequence jumps over this number',
  'out of order': 'the event does not link to the one before it (its previous-hash is not that event’s hash)',
  'payload altered': 'the event’s before/after values or reason were changed: they no longer give the digest the chain holds',
  'payload missing': 'the event’s before/after values are gone though the chain says it had them',
  'payload redacted without an erasure': 'the event’s values were blanked, and no erasure in the chain claims them',
  'checkpoint mismatch': 'the chain up to a signed checkpoint is not the chain that was signed: it was rewritten',
  'head mismatch': 'the chain’s newest event is not the head the service recorded with its last write',
  'checkpoint signature invalid': 'a stored checkpoint’s signature does not verify',
  'checkpoint not signed by a trusted key': 'the newest checkpoint was signed by another key than this service’s',
  'checkpoint is for another clinic': 'a checkpoint of another clinic was stored with this one',
};

export function signerOf(c: Checkpoint | undefined): string {
  if (!c?.createdBy) return 'unknown';
  if (c.createdBy.actorType === 'system') return 'the scheduled signing (system)';
  if (c.createdBy.actorType === 'staff') return c.createdBy.name ?? 'a staff member no longer listed';
  return c.createdBy.actorType;
}

/** Verify the chain now (streamed, with progress), the signed checkpoints to download, the public key and how to verify offline. */
export default function IntegrityPage() {
  useDocumentTitle('Audit chain integrity');
  const staff = useStaff();
  const queryClient = useQueryClient();
  const [run, setRun] = useState<Run>({ state: 'idle' });
  const source = useRef<EventSource | null>(null);
  const [offset, setOffset] = useState(0);

  const checkpoints = useQuery({
    queryKey: ['checkpoints', offset],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/audit-events/checkpoints', { params: { query: { limit: CHECKPOINTS_PAGE, offset } }, signal })),
    placeholderData: keepPreviousData,
  });
  const key = useQuery({
    queryKey: ['signing-key'],
    staleTime: 10 * 60_000,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/audit-events/signing-key', { signal })),
  });
  // Checkpoint signing is a change: offered to admins only (compliance reads).
  const sign = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/audit-events/checkpoints')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['checkpoints'] }),
  });

  useEffect(() => () => source.current?.close(), []);

  function verify() {
    source.current?.close();
    setRun({ state: 'running', checked: 0, total: 0 });
    const es = new EventSource('/v1/audit-events/verify/stream');
    source.current = es;
    es.addEventListener('progress', (m) => {
      const p = JSON.parse((m as MessageEvent<string>).data) as { checked: number; total: number };
      setRun({ state: 'running', ...p });
    });
    es.addEventListener('report', (m) => {
      es.close();
      setRun({ state: 'done', report: JSON.parse((m as MessageEvent<string>).data) as Report, at: new Date() });
      void queryClient.invalidateQueries({ queryKey: ['checkpoints'] });
    });
    es.addEventListener('failed', (m) => {
      es.close();
      setRun({ state: 'failed', message: (JSON.parse((m as MessageEvent<string>).data) as { message: string }).message });
    });
    // The browser's own error: the stream broke off before a report (or was refused).
    es.onerror = () => {
      if (source.current !== es) return;
      es.close();
      setRun((r) => (r.state === 'running' ? { state: 'failed', message: 'The connection to Aftercare was lost before the verification finished. Try again.' } : r));
    };
  }

  const keyUrl = useMemo(() => (key.data?.publicKey ? URL.createObjectURL(new Blob([key.data.publicKey], { type: 'application/x-pem-file' })) : null), [key.data?.publicKey]);
  useEffect(() => () => void (keyUrl && URL.revokeObjectURL(keyUrl)), [keyUrl]);

  const list = checkpoints.data?.items ?? [];
  const total = checkpoints.data?.total ?? 0;
  return (
    <div className="compliance-page">
      <h1>Audit chain integrity</h1>
      <p className="muted">
        Each audit event carries the hash of the one before it; signed checkpoints fix the chain's head at a moment, so nothing before it can be changed, removed or cut off
        unseen.
      </p>

      <section aria-labelledby="verify-heading" className="panel">
        <h2 id="verify-heading">Verify the chain</h2>
        <p>Recomputes every event's hash in the clinic's chain and checks it against every signed checkpoint. The page stays usable while it runs.</p>
        <Button onPress={verify} isDisabled={run.state === 'running'}>
          {run.state === 'running' ? 'Verifying…' : 'Verify the chain now'}
        </Button>
        <div aria-live="polite" className="verify-result">
          {run.state === 'running' && <Progress checked={run.checked} total={run.total} />}
          {run.state === 'failed' && <Alert>{run.message}</Alert>}
          {run.state === 'done' && <Result report={run.report} at={run.at} checkpoints={list} />}
        </div>
      </section>

      <section aria-labelledby="checkpoints-heading">
        <h2 id="checkpoints-heading">Signed checkpoints</h2>
        <p className="muted">
          Each checkpoint is the chain's head (its sequence number and hash) signed with the service's Ed25519 key. Its download is the JSON that verifies without the database.
        </p>
        {staff.role === 'admin' && (
          <p>
            <Button variant="secondary" onPress={() => sign.mutate()} isPending={sign.isPending}>
              Sign a checkpoint now
            </Button>
          </p>
        )}
        {sign.isError && <Alert>{describeError(sign.error)}</Alert>}
        {sign.isSuccess && <Alert tone="success">Checkpoint signed at event #{sign.data.clinicSeq}.</Alert>}
        {checkpoints.isPending && <Loading label="Loading the checkpoints…" />}
        {checkpoints.isError && <Alert>{describeError(checkpoints.error)}</Alert>}
        {checkpoints.data && total === 0 && <p>No checkpoint has been signed yet. The service signs one on its schedule once the chain has events.</p>}
        {list.length > 0 && (
          <DataTable wrap="table-scroll" region={{ labelledBy: 'checkpoints-heading' }} className="data-table" testId="checkpoints" columns={['Signed', 'Covers events up to', 'Head hash', 'Asked for by', 'Download']}>
            {list.map((c) => (
              <tr key={c.id} data-checkpoint-id={c.id}>
                <td>{dateTime(c.createdAt)}</td>
                <td>#{c.clinicSeq}</td>
                <td>
                  <code className="hash">{c.headHash}</code>
                </td>
                <td>{signerOf(c)}</td>
                <td>
                  <a href={`/v1/audit-events/checkpoints/${c.id}/export`} download>
                    Checkpoint #{c.clinicSeq} (JSON)
                  </a>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pager label="Checkpoint pages" page={offset / CHECKPOINTS_PAGE + 1} pages={Math.ceil(total / CHECKPOINTS_PAGE)} onGo={(p) => setOffset((p - 1) * CHECKPOINTS_PAGE)} />
      </section>

      <section aria-labelledby="key-heading">
        <h2 id="key-heading">Public key and offline verification</h2>
        {key.isPending && <Loading label="Loading the public key…" />}
        {key.isError && <Alert>{describeError(key.error)}</Alert>}
        {key.data && (
          <>
            {key.data.publicKey ? (
              <>
                <pre className="key" data-testid="public-key" tabIndex={0} aria-label="The service's public key (PEM)">
                  {key.data.publicKey}
                </pre>
                {keyUrl && (
                  <p>
                    <a href={keyUrl} download="audit-public-key.pem">
                      Download the public key (audit-public-key.pem)
                    </a>
                  </p>
                )}
              </>
            ) : (
              <Alert tone="info">No signing key is configured yet (AUDIT_SIGNING_KEY).</Alert>
            )}
            <ol className="steps">
              <li>Download the newest checkpoint above and save it as <code>checkpoint.json</code>, and the public key as <code>audit-public-key.pem</code>. Keep both away from the database.</li>
              <li>
                On a machine that can read the database (the read-only <code>aftercare_auditor</code> role is enough), in the service's folder, run:
                <pre className="command" data-testid="verify-command" tabIndex={0} aria-label="The command that verifies offline">
                  {key.data.verifyCommand}
                </pre>
              </li>
              <li>
                It prints the report as JSON and exits 0 when the chain is intact, 1 when it is broken or truncated, 3 when no trusted key is known, 2 on bad arguments. A
                checkpoint signed by any other key than the one you hold does not vouch for the chain.
              </li>
              <li>
                The checkpoint on its own verifies with any Ed25519 tool: the signature (base64) is over the canonical JSON (keys sorted, no spaces) of its{' '}
                <code>clinicId</code>, <code>clinicSeq</code>, <code>createdAt</code> and <code>headHash</code>.
              </li>
            </ol>
          </>
        )}
      </section>
    </div>
  );
}

function Progress({ checked, total }: { checked: number; total: number }) {
  const known = total > 0;
  return (
    <div className="verify-progress" data-testid="verify-progress">
      <progress max={known ? total : undefined} value={known ? checked : undefined} aria-label="Verification progress" />
      <p>{known ? `Checked ${checked.toLocaleString()} of ${total.toLocaleString()} events…` : 'Starting the verification…'}</p>
    </div>
  );
}

function Result({ report: r, at, checkpoints }: { report: Report; at: Date; checkpoints: Checkpoint[] }) {
  const cp = r.checkpoint ?? null;
  const listed = cp?.id ? checkpoints.find((c) => c.id === cp.id) : undefined;
  const explain = r.reason ? (REASONS[r.reason] ?? r.reason) : '';
  const headline =
    r.status === 'ok'
      ? 'Intact'
      : r.status === 'broken'
        ? `Broken${r.brokenAt ? ` at event #${r.brokenAt}` : ''}`
        : r.status === 'truncated'
          ? `Truncated: events from #${r.brokenAt} on are missing`
          : 'Whole in itself, but a cut-off end cannot be ruled out';
  return (
    <div className={`result result-${r.status === 'ok' ? 'ok' : 'bad'}`} data-testid="verify-result" data-status={r.status}>
      <p className="result-headline">
        <strong>{headline}.</strong> <span className="muted">Checked {at.toLocaleTimeString()}.</span>
      </p>
      {r.status === 'broken' && <p data-testid="verify-reason">Why: {r.reason}: {explain}.</p>}
      {r.status === 'truncated' && (
        <p data-testid="verify-reason">
          Why: a signed checkpoint{cp ? ` (#${cp.clinicSeq})` : ''} or the service's own record of the head shows the chain was longer; it now ends at #{r.headSeq ?? 0}. Events were
          deleted from the end.
        </p>
      )}
      {r.status === 'unverifiable_truncation' && <p data-testid="verify-reason">Why: {r.reason}.</p>}
      {r.status === 'broken' && r.brokenAt && (
        <p>
          <Link to={`/audit?page=${Math.ceil(Number(r.brokenAt) / 50)}`}>Show event #{r.brokenAt} in the audit log</Link>
        </p>
      )}
      <dl className="dl-grid">
        <dt>Events checked</dt>
        <dd data-testid="verify-count">{r.count.toLocaleString()}</dd>
        <dt>Head</dt>
        <dd>
          {r.headSeq ? (
            <>
              #{r.headSeq}, hash <code className="hash">{r.headHash}</code>
            </>
          ) : (
            'no events yet'
          )}
        </dd>
        <dt>Checked against</dt>
        <dd data-testid="verify-checkpoint">
          {cp ? (
            <>
              the checkpoint of {dateTime(cp.createdAt)} at event #{cp.clinicSeq}
              {listed ? `, asked for by ${signerOf(listed)}` : ''},{' '}
              {r.checkpointSignedByConfiguredKey === true
                ? 'signed with this service’s key'
                : r.checkpointSignedByConfiguredKey === false
                  ? 'signed with another key than this service’s'
                  : 'its signer could not be judged (no key configured)'}
              {r.checkpointsChecked !== undefined && ` (${r.checkpointsChecked} checkpoint${r.checkpointsChecked === 1 ? '' : 's'} checked in all)`}
            </>
          ) : (
            'no checkpoint yet: the chain is checked against itself only'
          )}
        </dd>
        {r.redactedPayloads !== undefined && r.redactedPayloads > 0 && (
          <>
            <dt>Redacted payloads</dt>
            <dd>
              {r.redactedPayloads}, each claimed by an erasure (their digests still chain) — <Link to="/audit?action=patient.erased">the erasures</Link>
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}
