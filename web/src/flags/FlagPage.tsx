import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { DataTable } from '../ui/DataTable';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { useStaffDirectory } from '../ui/directory';
import { canCare, useStaff } from '../ui/staff';
import { SymptomChart, SYMPTOMS, warningSignLabel, type SymptomAnswer } from '../ui/SymptomChart';
import { useDocumentTitle } from '../ui/title';
import { ActionDialog, Choice, Field } from './ActionDialog';
import { useFlagEvents } from './flag-events';
import { Evidence, historyDetail, Photos } from './FlagEvidence';
import { CAUSALITY, CRITERIA, dateTime, EVENT_WORDS, OUTCOME_WORDS, PRIORITY_WORDS, PURPOSE_WORDS, ROLE_WORDS, SERIOUSNESS, STATUS_WORDS, type Outcome } from './words';
import './flags.css';

type Flag = components['schemas']['FlagWithHistoryDto'] & { caseId?: string | null };
type Response = components['schemas']['ResponseDto'];
type TimelineItem = components['schemas']['TimelineDto']['items'][number];
type Message = Extract<TimelineItem, { type: 'message' }>;
type Assess = components['schemas']['AssessFlagDto'];

const text = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();

/** One flag: why it was raised, the patient's answers against the expected course, and the triage actions. */
export default function FlagPage() {
  const { id = '' } = useParams();
  const staff = useStaff();
  const queryClient = useQueryClient();
  useFlagEvents();
  const [actionError, setActionError] = useState<string | null>(null);
  // What the last action did, in words (announced): nothing changes silently.
  const [done, setDone] = useState<string | null>(null);

  const flag = useQuery({
    queryKey: ['flag', id],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/flags/{id}', { params: { path: { id } }, signal })) as Promise<Flag>,
  });
  const f = flag.data;
  const caseId = f?.caseId ?? null;
  const kase = useQuery({
    queryKey: ['case', caseId],
    enabled: !!caseId,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/cases/{id}', { params: { path: { id: caseId! } }, signal })),
  });
  const responses = useQuery({
    queryKey: ['responses', f?.patientId],
    enabled: !!f,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/patients/{id}/responses', { params: { path: { id: f!.patientId } }, signal })),
  });
  const timeline = useQuery({
    queryKey: ['timeline', f?.patientId],
    enabled: !!f,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/patients/{id}/timeline', { params: { path: { id: f!.patientId } }, signal })),
  });
  const treatment = useQuery({
    queryKey: ['treatment', f?.treatmentId],
    enabled: !!f?.treatmentId,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/treatments/{id}', { params: { path: { id: f!.treatmentId! } }, signal })),
  });
  const protocolId = treatment.data?.protocolId;
  const protocol = useQuery({
    queryKey: ['protocol', protocolId],
    enabled: !!protocolId,
    staleTime: 10 * 60_000,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/protocols/{id}', { params: { path: { id: protocolId! } }, signal })),
  });

  // Colleagues to assign to and to name in the history (open to practitioners, not only admins).
  const colleagues = useStaffDirectory();
  const patientName = kase.data?.patient.name ?? 'the patient';
  useDocumentTitle(f ? `${PRIORITY_WORDS[f.priority]} flag: ${patientName}` : 'Flag');

  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['flag', id] }),
      queryClient.invalidateQueries({ queryKey: ['case'] }),
      queryClient.invalidateQueries({ queryKey: ['cases'] }),
      queryClient.invalidateQueries({ queryKey: ['timeline'] }),
    ]);
  };
  const act = async <T,>(call: Promise<{ data?: T; error?: unknown; response: globalThis.Response }>, said?: string | ((data: T) => string)) => {
    setDone(null);
    const data = await unwrap(call);
    await refresh();
    setActionError(null);
    if (said) setDone(typeof said === 'function' ? said(data) : said);
    return data;
  };
  const nameOf = (staffId: string | null) => (!staffId ? 'no one' : staffId === staff.id ? 'you' : (colleagues.data?.items.find((s) => s.id === staffId)?.name ?? 'a colleague'));

  if (flag.isPending) return <Loading label="Loading the flag…" />;
  if (flag.isError) {
    const notFound = flag.error instanceof ApiError && flag.error.statusCode === 404;
    return (
      <>
        <h1>{notFound ? 'Flag not found' : 'The flag could not be loaded'}</h1>
        <Alert>{notFound ? 'There is no such flag in your clinic.' : describeError(flag.error)}</Alert>
        <p>
          <Link to="/">Back to the triage queue</Link>
        </p>
      </>
    );
  }
  const flagData = f!;

  const ofCourse = (responses.data?.items ?? []).filter((r) => !flagData.treatmentId || r.treatmentId === flagData.treatmentId);
  const answers: SymptomAnswer[] = ofCourse.map((r: Response) => ({
    day: r.daySinceTreatment,
    at: r.receivedAt,
    scores: Object.fromEntries(SYMPTOMS.map((s) => [s, r[s]])),
    warningSigns: r.warningSigns,
  }));
  const sent = (timeline.data?.items ?? []).filter((i): i is Message => i.type === 'message' && i.direction === 'out');
  const unresolved = flagData.status !== 'resolved';
  const assignee = kase.data?.assignee;

  return (
    <div className="flag-page">
      <p>
        <Link to="/">← Triage queue</Link>
      </p>
      <h1>
        {PRIORITY_WORDS[flagData.priority]} flag: {patientName}
      </h1>
      <dl className="dl-grid">
        <dt>Status</dt>
        <dd data-testid="flag-status">{STATUS_WORDS[flagData.status]}</dd>
        <dt>Patient</dt>
        <dd>
          {patientName}
          {kase.data?.patient.ageBand ? `, aged ${kase.data.patient.ageBand}` : ''}
        </dd>
        {kase.data?.treatment && (
          <>
            <dt>Treatment</dt>
            <dd>
              {kase.data.treatment.procedure}, {kase.data.treatment.product} on {dateTime(kase.data.treatment.performedAt)} (day{' '}
              {kase.data.treatment.day})
            </dd>
          </>
        )}
        <dt>Assigned to</dt>
        <dd>{assignee ? (assignee.id === staff.id ? 'You' : assignee.name) : 'No one'}</dd>
        <dt>Raised</dt>
        <dd>{dateTime(flagData.createdAt)}</dd>
        {flagData.outcome && (
          <>
            <dt>Outcome</dt>
            <dd>
              {OUTCOME_WORDS[flagData.outcome]}
              {flagData.note ? `: ${flagData.note}` : ''}
            </dd>
          </>
        )}
      </dl>

      {!canCare(staff) ? (
        <p className="muted">Compliance staff see flags read-only; practitioners and admins act on them.</p>
      ) : (
      <section aria-labelledby="actions">
        <h2 id="actions">Actions</h2>
        <div className="flag-actions">
          {caseId && unresolved && (!assignee || assignee.id !== staff.id) && (
            <Button
              variant="secondary"
              onPress={() => void act(api.POST('/v1/cases/{id}/assign', { params: { path: { id: caseId } }, body: { staffId: staff.id } }), 'The case is assigned to you.').catch((err) => setActionError(describeError(err)))}
            >
              Assign to me
            </Button>
          )}
          {caseId && colleagues.data && (
            <ActionDialog label="Assign to a colleague" title="Assign the case" submitLabel="Assign" hidden={!unresolved}
              submit={(form) => act(api.POST('/v1/cases/{id}/assign', { params: { path: { id: caseId } }, body: { staffId: text(form, 'staffId') } }), `The case is assigned to ${nameOf(text(form, 'staffId'))}.`)}>
              <Choice
                name="staffId"
                label="Assign to"
                options={colleagues.data.items
                  .filter((s) => s.assignable && s.id !== assignee?.id)
                  .sort((a, b) => Number(b.id === staff.id) - Number(a.id === staff.id))
                  .map((s) => ({ id: s.id, label: s.id === staff.id ? `Me (${s.name})` : `${s.name}, ${ROLE_WORDS[s.role]}` }))}
              />
              {assignee && <p className="muted">Now assigned to {assignee.id === staff.id ? 'you' : assignee.name}.</p>}
            </ActionDialog>
          )}
          {caseId && unresolved && assignee && (
            <Button
              variant="quiet"
              onPress={() => void act(api.POST('/v1/cases/{id}/assign', { params: { path: { id: caseId } }, body: { staffId: null } }), 'The case is no longer assigned to anyone.').catch((err) => setActionError(describeError(err)))}
            >
              Unassign
            </Button>
          )}
          {caseId && (
            <ActionDialog label="Acknowledge" title="Acknowledge the case" submitLabel="Acknowledge" variant="primary" hidden={flagData.status !== 'open'}
              submit={(form) => act(api.POST('/v1/cases/{id}/acknowledge', { params: { path: { id: caseId } }, body: text(form, 'note') ? { note: text(form, 'note') } : {} }), (r) => `Acknowledged ${r.flagIds.length} flag${r.flagIds.length === 1 ? '' : 's'} of the case.`)}>
              <Field name="note" label="Note (optional)" textarea />
            </ActionDialog>
          )}
          {caseId && (
            <ActionDialog label="Resolve" title="Resolve the case" submitLabel="Resolve" variant="primary" hidden={!unresolved}
              submit={(form) => act(api.POST('/v1/cases/{id}/resolve', { params: { path: { id: caseId } }, body: { outcome: text(form, 'outcome') as Outcome, note: text(form, 'note') } }), (r) => `Resolved ${r.flagIds.length} flag${r.flagIds.length === 1 ? '' : 's'} of the case: ${OUTCOME_WORDS[text(form, 'outcome') as Outcome] ?? ''}. Reopen a flag if it needs another look.`)}>
              <Choice name="outcome" label="Outcome" options={Object.entries(OUTCOME_WORDS).map(([k, v]) => ({ id: k, label: v }))} />
              <Field name="note" label="What was done and why" textarea required />
            </ActionDialog>
          )}
          <ActionDialog label="Add note" title="Add a note to the flag" submitLabel="Add note"
            submit={(form) => act(api.POST('/v1/flags/{id}/notes', { params: { path: { id } }, body: { text: text(form, 'text') } }), 'Note added to the history.')}>
            <Field name="text" label="Note" textarea required />
          </ActionDialog>
          <ActionDialog label="Reopen" title="Reopen the flag" submitLabel="Reopen" hidden={unresolved}
            submit={(form) => act(api.POST('/v1/flags/{id}/reopen', { params: { path: { id } }, body: { reason: text(form, 'reason') } }), 'The flag is open again and back in the triage queue.')}>
            <Field name="reason" label="Why it needs another look" textarea required />
          </ActionDialog>
          <ActionDialog label="Extra check-in" title="Ask the patient to check in again" submitLabel="Schedule check-in"
            submit={(form) => act(api.POST('/v1/flags/{id}/extra-check-in', { params: { path: { id } }, body: { inDays: Number(form.get('inDays')), ...(text(form, 'note') ? { note: text(form, 'note') } : {}) } }), (r) =>
                r.reused
                  ? `The patient already has a check-in on ${dateTime(String(r.checkIn.dueAt))}: that one will ask them.`
                  : `Extra check-in planned for ${dateTime(String(r.checkIn.dueAt))}${r.checkIn.channel ? ` by ${r.checkIn.channel === 'sms' ? 'SMS' : 'email'}` : ''}.`)}>
            <Field name="inDays" label="In how many days" type="number" min={1} max={90} required description="It goes at the protocol's send time, inside the clinic's send window." />
            <Field name="note" label="Why (optional)" textarea />
          </ActionDialog>
          <ActionDialog label="Assessment" title="Assess the reaction" submitLabel="Save assessment"
            submit={(form) => {
              const body: Assess = {
                causality: text(form, 'causality') as Assess['causality'],
                seriousness: text(form, 'seriousness') as Assess['seriousness'],
                seriousnessCriteria: form.getAll('criteria').map(String) as Assess['seriousnessCriteria'],
                ...(text(form, 'note') ? { note: text(form, 'note') } : {}),
              };
              return act(api.POST('/v1/flags/{id}/assess', { params: { path: { id } }, body }), 'Assessment saved; the adverse-event log shows it.');
            }}>
            <Choice name="causality" label="Causality" options={CAUSALITY} />
            <Choice name="seriousness" label="Seriousness" options={SERIOUSNESS} />
            <fieldset className="field">
              <legend className="field-label">Seriousness criteria (when serious)</legend>
              {CRITERIA.map((c) => (
                <label key={c.id} className="checkbox">
                  <input type="checkbox" name="criteria" value={c.id} /> {c.label}
                </label>
              ))}
            </fieldset>
            <Field name="note" label="Reasoning (optional)" textarea />
          </ActionDialog>
        </div>
        {actionError && <Alert>{actionError}</Alert>}
        {done && !actionError && <Alert tone="success">{done}</Alert>}
      </section>
      )}

      <section aria-labelledby="reason">
        <h2 id="reason">Why it was raised</h2>
        <p>{flagData.reason}</p>
        <Evidence evidence={flagData.evidence} />
        {flagData.photos?.length ? <Photos photos={flagData.photos} /> : null}
        {flagData.causality && (
          <p>
            Assessed: {CAUSALITY.find((c) => c.id === flagData.causality)?.label}, {SERIOUSNESS.find((c) => c.id === flagData.seriousness)?.label}
            {flagData.assessmentNote ? ` — ${flagData.assessmentNote}` : ''}
          </p>
        )}
      </section>

      <section aria-labelledby="answers">
        <h2 id="answers">Answers against the expected course</h2>
        {responses.isPending ? (
          <Loading label="Loading the answers…" />
        ) : responses.isError ? (
          <Alert>{describeError(responses.error)}</Alert>
        ) : (
          <SymptomChart answers={answers} expected={protocol.data?.expectedCourse} label={`Symptoms of ${patientName} by day since treatment`} />
        )}
        {ofCourse.some((r) => r.freeText || r.rawText) && (
          <>
            <h3>In the patient's words</h3>
            <ul className="plain-list">
              {ofCourse
                .filter((r) => r.freeText || r.rawText)
                .map((r) => (
                  <li key={r.id}>
                    <span className="muted">
                      Day {r.daySinceTreatment}, {dateTime(r.receivedAt)} ({r.source === 'sms' ? 'SMS' : 'form'}):
                    </span>{' '}
                    “{r.freeText ?? r.rawText}”
                    {r.warningSigns.length > 0 && <> · Warning signs: {r.warningSigns.map(warningSignLabel).join(', ')}</>}
                  </li>
                ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="messages">
        <h2 id="messages">Messages sent to the patient</h2>
        {timeline.isPending ? (
          <Loading label="Loading the messages…" />
        ) : sent.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <DataTable wrap="table-scroll" region={{ labelledBy: 'messages' }} className="symptom-table" columns={['Sent', 'Kind', 'Channel', 'Status']}>
            {sent.map((m) => (
              <tr key={m.id}>
                <td>{dateTime(m.at)}</td>
                <td>{PURPOSE_WORDS[m.purpose] ?? m.purpose}</td>
                <td>{m.channel === 'sms' ? 'SMS' : 'Email'}</td>
                <td>{m.status}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <section aria-labelledby="history">
        <h2 id="history">History</h2>
        <ol className="plain-list">
          {flagData.history.map((h) => (
            <li key={h.id}>
              <strong>{EVENT_WORDS[h.kind] ?? h.kind}</strong> <span className="muted">{dateTime(h.at)}</span> ·{' '}
              {h.actorType === 'staff' ? (h.actorId === staff.id ? 'you' : (colleagues.data?.items.find((s) => s.id === h.actorId)?.name ?? (assignee && h.actorId === assignee.id ? assignee.name : 'a colleague'))) : h.actorType}
              {historyDetail(h.data)}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
