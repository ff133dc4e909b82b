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
import { SymptomChart, SYMPTOM_LABELS, SYMPTOMS, WARNING_SIGN_LABELS, warningSignLabel, type Symptom, type SymptomAnswer } from '../ui/SymptomChart';
import { useDocumentTitle } from '../ui/title';
import { ActionDialog, Choice, Field } from './ActionDialog';
import { useFlagEvents } from './flag-events';
import { dateTime, EVENT_WORDS, OUTCOME_WORDS, PRIORITY_WORDS, STATUS_WORDS, type Outcome } from './words';
import './flags.css';

type Flag = components['schemas']['FlagWithHistoryDto'] & { caseId?: string | null };
type Response = components['schemas']['ResponseDto'];
type TimelineItem = components['schemas']['TimelineDto']['items'][number];
type Message = Extract<TimelineItem, { type: 'message' }>;
type Assess = components['schemas']['AssessFlagDto'];

const PURPOSE_WORDS: Record<string, string> = {
  check_in: 'Check-in',
  reminder: 'Reminder',
  safety_advice: 'Safety advice',
  clarification: 'Clarification',
  staff_alert: 'Staff alert',
  consent_reply: 'Consent reply',
  aftercare_instructions: 'Aftercare instructions',
  reply: 'Reply',
};
const ROLE_WORDS: Record<string, string> = { practitioner: 'practitioner', admin: 'admin', compliance: 'compliance' };
// Words for the API's own values: Records over the generated types, so a value the API adds fails to compile here.
const choices = <K extends string>(words: Record<K, string>) => (Object.entries(words) as Array<[K, string]>).map(([id, label]) => ({ id, label }));
const CAUSALITY = choices<Assess['causality']>({
  related: 'Related',
  possibly_related: 'Possibly related',
  unlikely_related: 'Unlikely related',
  unrelated: 'Unrelated',
});
const SERIOUSNESS = choices<Assess['seriousness']>({ non_serious: 'Not serious', serious: 'Serious' });
const CRITERIA = choices<NonNullable<Assess['seriousnessCriteria']>[number]>({
  death: 'Death',
  life_threatening: 'Life-threatening',
  hospitalisation: 'Hospitalisation',
  disability: 'Disability',
  congenital_anomaly: 'Congenital anomaly',
  medically_important: 'Medically important',
});

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

function historyDetail(data: Record<string, unknown>): string {
  const words = ['note', 'text', 'reason', 'outcome'].map((k) => data[k]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  return words.length ? `: ${words.map((w) => OUTCOME_WORDS[w as Outcome] ?? w).join(' — ')}` : '';
}

/** The rules' evidence keys (src/flags/rules.ts) in a practitioner's words; ids are left out. */
const EVIDENCE_WORDS: Record<string, string> = {
  signs: 'Warning signs',
  ticked: 'Ticked on the form',
  fromText: 'Read in their words',
  onlyInText: 'Only in their words, not ticked',
  freeText: 'Their words',
  readings: 'How their words were read',
  severe: 'Severe',
  threshold: 'Severe from score',
  daySinceTreatment: 'Day since treatment',
  above: 'Above the usual course',
  worsened: 'Worse than the check-in before',
  reachedSevere: 'Now severe',
  minimumRise: 'Smallest rise that counts',
  previousDaySinceTreatment: 'Compared with day',
  persisting: 'Still present',
  quietSinceDay: 'Well since day',
  quietAnswerDays: 'Well on days',
  steps: 'Unanswered check-ins (steps)',
};
const HIDDEN_EVIDENCE = new Set(['history', 'messageId', 'checkInIds']);

type Photo = components['schemas']['PhotoLinkDto'];

/** The patient's photos with the answer: short-lived signed links, each opening audited as a read. */
function Photos({ photos }: { photos: Photo[] }) {
  return (
    <>
      <h3>Photos sent with the answer</h3>
      <ul className="flag-photos">
        {photos.map((p) => (
          <li key={p.id}>
            <a href={p.url} target="_blank" rel="noopener noreferrer">
              <img
                src={p.url}
                width={p.width}
                height={p.height}
                alt={`Photo ${p.position} of ${photos.length} the patient sent ${p.source === 'mms' ? 'by MMS' : 'with the form'}, ${dateTime(p.createdAt)}`}
              />
            </a>
          </li>
        ))}
      </ul>
      <p className="muted">Photos are re-encoded without location or camera data. Opening one is recorded in the audit log; the links expire after a few minutes.</p>
    </>
  );
}

function Evidence({ evidence }: { evidence: Record<string, unknown> }) {
  const entries = Object.entries(evidence).filter(([k, v]) => !HIDDEN_EVIDENCE.has(k) && v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
  if (!entries.length) return null;
  return (
    <dl className="dl-grid">
      {entries.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{EVIDENCE_WORDS[k] ?? k.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase())}</dt>
          <dd>{formatValue(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "Pain 3 (usual up to 1)", "Bruising 1→3", a warning sign's words, or the value as it is. */
function formatItem(x: unknown): string {
  if (typeof x === 'string') return WARNING_SIGN_LABELS[x] ?? SYMPTOM_LABELS[x as Symptom] ?? x;
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    const name = typeof o.symptom === 'string' ? (SYMPTOM_LABELS[o.symptom as Symptom] ?? o.symptom) : null;
    if (name && typeof o.from === 'number' && typeof o.to === 'number') return `${name} ${o.from}→${o.to}`;
    if (name && typeof o.score === 'number') {
      const extra = typeof o.expectedMax === 'number' ? ` (usual up to ${o.expectedMax})` : typeof o.windowEnd === 'number' ? ` (usually gone by day ${o.windowEnd})` : '';
      return `${name} ${o.score}${extra}`;
    }
    if (typeof o.sign === 'string' && typeof o.words === 'string' && typeof o.status === 'string') {
      // The sign reader's verdict on the patient's own words (src/protocols/sign-reader.ts).
      const sign = WARNING_SIGN_LABELS[o.sign] ?? o.sign;
      const cue = typeof o.cue === 'string' ? ` ("${o.cue}")` : '';
      const verdict = o.status === 'negated' ? `said no${cue}, not counted` : o.status === 'hedged' ? `unsure${cue}, counted` : 'counted';
      return `“${o.words}”: ${sign} — ${verdict}`;
    }
    return Object.entries(o).map(([a, b]) => `${a}: ${String(b)}`).join(', ');
  }
  return String(x);
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatItem).join(', ');
  return formatItem(v);
}
