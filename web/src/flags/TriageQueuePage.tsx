import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { Alert } from '../ui/Alert';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { useStaff } from '../ui/staff';
import { useDocumentTitle } from '../ui/title';
import { useFlagEvents } from './flag-events';
import { Select } from '../ui/Select';
import { PRIORITIES, PRIORITY_WORDS, RULES, STATUS_WORDS, waited, type Priority } from './words';
import './flags.css';

type Case = components['schemas']['CaseDto'];
type Counts = components['schemas']['CasePriorityCountsDto'];

const ANY = 'any';

/** "(2 urgent, 5 high) " for the tab's title; nothing when the queue is empty. */
export function countsPrefix(counts: Counts | undefined): string {
  if (!counts) return '';
  const parts = PRIORITIES.filter((p) => counts[p] > 0).map((p) => `${counts[p]} ${p}`);
  return parts.length ? `(${parts.join(', ')}) ` : '';
}

/** The home page: open and acknowledged cases, urgent first, live. */
export default function TriageQueuePage() {
  const staff = useStaff();
  const [params, setParams] = useSearchParams();
  const priority = params.get('priority') as Priority | null;
  const status = params.get('status') as 'open' | 'acknowledged' | null;
  const mine = params.get('assigned') === 'me';
  const rule = params.get('rule');
  const query = {
    ...(priority ? { priority } : {}),
    ...(status ? { status } : {}),
    ...(mine ? { assignee: 'me' } : {}),
    ...(rule ? { rule } : {}),
    limit: 100,
  };
  const cases = useQuery({
    queryKey: ['cases', query],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/cases', { params: { query }, signal })),
    staleTime: 5_000,
  });

  // Urgent cases that came while the page was open: announced, and marked until looked at.
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  const awaiting = useRef(new Set<string>());
  useFlagEvents((e) => {
    if (e.priority === 'urgent' && e.status === 'open' && (e.change === 'raised' || e.change === 'priority_raised') && e.caseId) {
      awaiting.current.add(e.caseId);
    }
  });
  useEffect(() => {
    const items = cases.data?.items ?? [];
    const arrived = items.filter((c) => awaiting.current.has(c.id));
    if (!arrived.length) return;
    for (const c of arrived) awaiting.current.delete(c.id);
    setFresh((prev) => new Set([...prev, ...arrived.map((c) => c.id)]));
    setAnnouncement(
      arrived.map((c) => `New urgent case: ${c.patient.name}, ${c.rules.join(', ').toLowerCase()}.`).join(' '),
    );
  }, [cases.data]);

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => setNow(Date.now()), [cases.dataUpdatedAt]);

  useDocumentTitle(`${countsPrefix(cases.data?.counts)}Triage queue`);

  const set = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value == null || value === ANY) next.delete(name);
    else next.set(name, value);
    setParams(next, { replace: true });
  };

  const counts = cases.data?.counts;
  const summary = useMemo(
    () => (counts ? PRIORITIES.map((p) => `${counts[p]} ${p}`).join(', ') : ''),
    [counts],
  );

  return (
    <>
      <h1>Triage queue</h1>
      <div role="status" aria-live="assertive" aria-atomic="true" className="queue-announcer">
        {announcement && <p className="alert alert-urgent">{announcement}</p>}
      </div>
      <form className="queue-filters" aria-label="Filter the queue" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="Priority"
          value={priority ?? ANY}
          onChange={(v) => set('priority', v)}
          options={[{ id: ANY, label: 'Any priority' }, ...PRIORITIES.map((p) => ({ id: p, label: PRIORITY_WORDS[p] }))]}
        />
        <Select
          label="Status"
          value={status ?? ANY}
          onChange={(v) => set('status', v)}
          options={[
            { id: ANY, label: 'Open and acknowledged' },
            { id: 'open', label: 'Open' },
            { id: 'acknowledged', label: 'Acknowledged' },
          ]}
        />
        <Select
          label="Rule"
          value={rule ?? ANY}
          onChange={(v) => set('rule', v)}
          options={[{ id: ANY, label: 'Any rule' }, ...RULES.map((r) => ({ id: r.id, label: r.label }))]}
        />
        <label className="checkbox">
          <input type="checkbox" checked={mine} onChange={(e) => set('assigned', e.target.checked ? 'me' : null)} />
          Assigned to me
        </label>
      </form>

      {cases.isPending && <Loading label="Loading the queue…" />}
      {cases.isError && <Alert>{describeError(cases.error)}</Alert>}
      {cases.data && (
        <>
          <p className="muted queue-summary">
            {cases.data.total} case{cases.data.total === 1 ? '' : 's'} shown. In the queue: {summary}.
          </p>
          {cases.data.items.length === 0 ? (
            <p>No cases need attention{params.size ? ' under these filters' : ''}.</p>
          ) : (
            <ol className="case-list" aria-label="Cases, most urgent first">
              {cases.data.items.map((c) => (
                <CaseRow key={c.id} c={c} now={now} isNew={fresh.has(c.id)} me={staff.id} />
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}

function CaseRow({ c, now, isNew, me }: { c: Case; now: number; isNew: boolean; me: string }) {
  const newest = c.flags[0];
  return (
    <li className={`case case-${c.priority}${isNew ? ' case-new' : ''}`} data-case-id={c.id}>
      <div className="case-head">
        <span className={`priority priority-${c.priority}`}>{PRIORITY_WORDS[c.priority]}</span>
        {isNew && <span className="badge-new">New</span>}
        <Link to={`/flags/${newest?.flagId ?? c.id}`} className="case-patient">
          {c.patient.name}
        </Link>
        <span className="muted">{c.patient.ageBand ? `aged ${c.patient.ageBand}` : 'age not recorded'}</span>
      </div>
      <p className="case-treatment">
        {c.treatment
          ? `${c.treatment.procedure}, ${c.treatment.product} · day ${c.treatment.day} since treatment`
          : 'No treatment linked'}
      </p>
      <ul className="case-reasons">
        {c.flags.map((f) => (
          <li key={f.flagId}>
            <strong>{f.rule}:</strong> {f.reason} <span className="muted">({STATUS_WORDS[f.status]})</span>
          </li>
        ))}
      </ul>
      <p className="case-meta muted">
        Waiting {waited(c.waitingSince, now)} · {STATUS_WORDS[c.status]} ·{' '}
        {c.assignee ? (c.assignee.id === me ? 'Assigned to you' : `Assigned to ${c.assignee.name}`) : 'Unassigned'}
      </p>
    </li>
  );
}
