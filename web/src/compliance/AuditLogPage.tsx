import { useEffect, useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { components, operations } from '../api/schema';
import { Select } from '../ui/Select';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { Pager } from '../ui/Pager';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { DataTable } from '../ui/DataTable';
import { compact, dateTime, endOf, isDay, startOf } from './period';
import './compliance.css';

type AuditEvent = components['schemas']['ListedAuditEventDto'];
type Query = NonNullable<operations['AuditController_list']['parameters']['query']>;
type ActorType = AuditEvent['actorType'];

const PAGE_SIZE = 50;
const ANY = 'any';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ACTOR_WORDS: Record<ActorType, string> = {
  staff: 'Staff member',
  system: 'The system',
  patient: 'The patient',
  integration: 'An integration (API key)',
  provider: 'The messaging provider',
};

/** `patient.erased` → "Patient erased". */
export function actionWords(action: string): string {
  const words = action.replace(/[._]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The link to one entity's own audit trail. */
export function trailOf(entityType: string, entityId: string): string {
  return `/audit?${new URLSearchParams({ entityType, entityId })}`;
}

function filtersOf(params: URLSearchParams) {
  const from = params.get('from');
  const to = params.get('to');
  const actorType = params.get('actorType');
  return {
    entityType: params.get('entityType') ?? '',
    entityId: params.get('entityId') ?? '',
    actorType: (actorType && actorType in ACTOR_WORDS ? actorType : '') as ActorType | '',
    actorId: params.get('actorId') ?? '',
    action: params.get('action') ?? '',
    from: isDay(from) ? from : '',
    to: isDay(to) ? to : '',
  };
}
type Filters = ReturnType<typeof filtersOf>;

/** The clinic's audit log in chain order, filtered by entity, actor, action and period (all in the URL). */
export default function AuditLogPage() {
  const [params, setParams] = useSearchParams();
  const applied = filtersOf(params);
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [draft, setDraft] = useState<Filters>(applied);
  const key = params.toString();
  // Following a link to an entity's trail (or going back) changes the URL: the form follows it.
  useEffect(() => setDraft(filtersOf(new URLSearchParams(key))), [key]);
  const set = (k: keyof Filters) => (v: string) => setDraft((d) => ({ ...d, [k]: v === ANY ? '' : v }));
  const onlyEntity = applied.entityType && applied.entityId;
  useDocumentTitle(onlyEntity ? `Audit trail of ${applied.entityType} ${applied.entityId.slice(0, 8)}` : 'Audit log');

  const badEntityId = !!draft.entityId && !UUID.test(draft.entityId.trim());
  const badPeriod = !!(draft.from && draft.to && draft.from > draft.to);
  const query: Query = {
    ...(applied.entityType ? { entityType: applied.entityType } : {}),
    ...(applied.entityId ? { entityId: applied.entityId } : {}),
    ...(applied.actorType ? { actorType: applied.actorType } : {}),
    ...(applied.actorId ? { actorId: applied.actorId } : {}),
    ...(applied.action ? { action: applied.action } : {}),
    ...(applied.from ? { since: startOf(applied.from) } : {}),
    ...(applied.to ? { until: endOf(applied.to) } : {}),
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const log = useQuery({
    queryKey: ['audit-events', query],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/audit-events', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });

  function apply(e: FormEvent) {
    e.preventDefault();
    setParams(compact({ ...draft, entityId: draft.entityId.trim(), actorId: draft.actorId.trim(), action: draft.action.trim(), entityType: draft.entityType.trim() }));
  }
  const goTo = (p: number) => setParams({ ...compact({ ...applied }), ...(p > 1 ? { page: String(p) } : {}) });
  const data = log.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;

  return (
    <div className="compliance-page">
      <h1>{onlyEntity ? `Audit trail of ${applied.entityType} ${applied.entityId}` : 'Audit log'}</h1>
      <p className="muted">
        Every change and every read of patient records, in the order of the clinic's hash chain. Values sit in a payload erasure may blank; the chain keeps its digest.
        {onlyEntity && (
          <>
            {' '}
            <Link to="/audit">Show the whole log</Link>.
          </>
        )}
      </p>

      <form className="filters" aria-label="Filter the audit log" onSubmit={apply}>
        <TextField label="Entity type" description="flag, patient, treatment, staff…" value={draft.entityType} onChange={set('entityType')} />
        <TextField label="Entity id" value={draft.entityId} onChange={set('entityId')} isInvalid={badEntityId} />
        <Select label="Actor" value={draft.actorType || ANY} onChange={set('actorType')} options={[{ id: ANY, label: 'Anyone' }, ...Object.entries(ACTOR_WORDS).map(([id, label]) => ({ id, label }))]} />
        <TextField label="Actor id" description="A staff member's id" value={draft.actorId} onChange={set('actorId')} />
        <TextField label="Action" description="e.g. flag.resolved" value={draft.action} onChange={set('action')} />
        <TextField label="From" type="date" value={draft.from} onChange={set('from')} />
        <TextField label="To" type="date" value={draft.to} onChange={set('to')} isInvalid={badPeriod} />
        <div className="filter-buttons">
          <Button type="submit" isDisabled={badEntityId || badPeriod}>
            Apply filters
          </Button>
          <Button variant="quiet" onPress={() => setParams({})}>
            Clear filters
          </Button>
        </div>
        {badEntityId && <p className="field-error">The entity id must be a UUID.</p>}
        {badPeriod && <p className="field-error">The period's start must not be after its end.</p>}
      </form>

      {log.isPending && <Loading label="Loading the audit log…" />}
      {log.isError && <Alert>{describeError(log.error)}</Alert>}
      {data && (
        <section aria-labelledby="audit-heading">
          <h2 id="audit-heading" aria-live="polite">
            {data.total === 0
              ? 'No events match'
              : `${data.total} event${data.total === 1 ? '' : 's'}${pages > 1 ? `, ${(page - 1) * PAGE_SIZE + 1}–${Math.min(page * PAGE_SIZE, data.total)} shown` : ''}`}
          </h2>
          <ol className="audit-list" data-testid="audit-events">
            {data.items.map((e) => (
              <Event key={e.seq} e={e} />
            ))}
          </ol>
          <Pager label="Audit log pages" page={page} pages={pages} onGo={goTo} ends />
        </section>
      )}
    </div>
  );
}

function who(e: AuditEvent): string {
  if (e.actorType === 'staff') return e.actorName ?? 'A staff member no longer listed';
  return ACTOR_WORDS[e.actorType];
}

function Event({ e }: { e: AuditEvent }) {
  const data = Object.entries(e.data).filter(([k]) => k !== 'requestId');
  const changes = e.changes ? Object.entries(e.changes) : [];
  return (
    <li className="audit-event" data-seq={e.clinicSeq}>
      <div className="audit-head">
        <span className="audit-seq">#{e.clinicSeq}</span> <strong>{actionWords(e.action)}</strong> <span className="muted">({e.action})</span>
      </div>
      <dl className="audit-facts">
        <dt>When</dt>
        <dd>
          <time dateTime={e.occurredAt}>{dateTime(e.occurredAt)}</time>
        </dd>
        <dt>Who</dt>
        <dd>
          {e.actorId ? <Link to={`/audit?${new URLSearchParams({ actorType: e.actorType, actorId: e.actorId })}`}>{who(e)}</Link> : who(e)}
        </dd>
        <dt>What</dt>
        <dd>
          {e.entityType}{' '}
          {e.entityId ? (
            <Link to={trailOf(e.entityType, e.entityId)} aria-label={`Audit trail of ${e.entityType} ${e.entityId}`}>
              <code>{e.entityId}</code>
            </Link>
          ) : null}
        </dd>
        {data.length > 0 && (
          <>
            <dt>Details</dt>
            <dd>
              {data.map(([k, v], i) => (
                <span key={k}>
                  {i > 0 && ' · '}
                  {k}: <DataValue name={k} value={v} />
                </span>
              ))}
            </dd>
          </>
        )}
      </dl>
      {e.payloadRedactedAt ? (
        <p className="redacted" data-testid="redacted">
          Before/after and reason: <strong>redacted</strong> on {dateTime(e.payloadRedactedAt)}
          {e.redactedBy ? (
            <>
              {' '}
              by the erasure recorded as event #{e.redactedBy.clinicSeq} ({dateTime(e.redactedBy.occurredAt)})
              {e.redactedBy.entityId && (
                <>
                  {' '}
                  — <Link to={trailOf('patient', e.redactedBy.entityId)}>the erased patient's trail</Link>
                </>
              )}
              . The chain still holds the payload's digest.
            </>
          ) : (
            <> with no erasure claiming it: verification reports this as a break.</>
          )}
        </p>
      ) : (
        <>
          {e.reason && (
            <p>
              <span className="muted">Reason:</span> {e.reason}
            </p>
          )}
          {changes.length > 0 && (
            <DataTable wrap="table-scroll" region={{ label: `Changes in event ${e.clinicSeq}` }} className="data-table diff-table" captionClassName="visually-hidden" caption={<>Before and after, event {e.clinicSeq}</>} columns={['Field', 'Before', 'After']}>
              {changes.map(([field, c]) => (
                <tr key={field}>
                  <th scope="row">{field}</th>
                  <td className="diff-before">{show(c.from)}</td>
                  <td className="diff-after">{show(c.to)}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </>
      )}
      <details className="audit-hash">
        <summary>Chain link</summary>
        <p>
          Hash <code>{e.hash}</code>
          <br />
          after <code>{e.prevHash}</code>
          {e.payloadDigest && (
            <>
              <br />
              payload digest <code>{e.payloadDigest}</code>
            </>
          )}
        </p>
      </details>
    </li>
  );
}

const STAFF_KEYS = new Set(['staff', 'assignee', 'practitioner', 'assignedTo', 'alertedStaff', 'staffUser']);

/** The entity type an id in an event's data names by its key (`patientId` → patient, `checkInIds` → check_in), if any. */
function entityTypeOfKey(key: string): string | null {
  const m = /^(.+?)Ids?$/.exec(key);
  if (!m) return null;
  if (STAFF_KEYS.has(m[1])) return 'staff_user';
  return m[1].replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A data value; ids of entities link to their own trail. */
function DataValue({ name, value }: { name: string; value: unknown }) {
  const type = entityTypeOfKey(name);
  const ids = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (!type || !ids || !ids.length || !ids.every((x) => typeof x === 'string' && UUID.test(x))) return <>{show(value)}</>;
  return (
    <>
      {(ids as string[]).map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <Link to={trailOf(type, id)} aria-label={`Audit trail of ${type} ${id}`}>
            {id}
          </Link>
        </span>
      ))}
    </>
  );
}

/** A JSON value as a person reads it: empty for nothing, lists joined, objects as JSON. */
function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : '(none)';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
