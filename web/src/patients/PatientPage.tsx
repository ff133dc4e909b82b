import { useMemo, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Dialog, DialogTrigger, Form, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { Link, useLocation, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { SymptomChart, warningSignLabel, type SymptomAnswer } from '../ui/SymptomChart';
import { TextField } from '../ui/TextField';
import { canCare, useStaff } from '../ui/staff';
import { useDocumentTitle } from '../ui/title';
import { DataTable } from '../ui/DataTable';
import { RefusalAlert, SubmitOrClose } from '../ui/FormParts';
import { ageBand, fieldErrors, formatDate, formatDateTime, fullName, isNotFound, patientKeys, useBodyAreas, useProtocols, usePatient, useTimeline, type Patient, type Protocol, type TimelineItem } from './patients-api';
import { PatientRights } from './PatientRights';
import './patients.css';

type Treatment = Extract<TimelineItem, { type: 'treatment' }>;
type Response = Extract<TimelineItem, { type: 'response' }>;
const DAY = 86_400_000;

/** A patient's details, consent per channel, course of sessions, the chart across the course and the whole timeline. */
export default function PatientPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const staff = useStaff();
  const patient = usePatient(id);
  const timeline = useTimeline(id);
  useDocumentTitle(patient.data ? fullName(patient.data) : 'Patient');

  if (patient.isPending) return <Loading label="Loading the patient…" />;
  if (patient.isError) {
    if (isNotFound(patient.error))
      return (
        <>
          <h1>Patient not found</h1>
          <p>There is no patient with this link in your clinic. <Link to="/patients">Find a patient</Link>.</p>
        </>
      );
    return <Alert>{describeError(patient.error)}</Alert>;
  }
  const p = patient.data;
  return (
    <>
      <p>
        <Link to="/patients">← Patients</Link>
      </p>
      {(location.state as { created?: boolean } | null)?.created && <Alert tone="success">Patient added.</Alert>}
      <div className="page-actions">
        <h1 style={{ margin: 0, marginRight: 'auto' }}>{fullName(p)}</h1>
        {!p.erasedAt && canCare(staff) && (
          <Link to={`/patients/${p.id}/treatments/new`} className="button button-primary">
            Record a treatment
          </Link>
        )}
      </div>
      <Details patient={p} />
      <PatientRights patient={p} />
      {timeline.isPending && <Loading label="Loading the course…" />}
      {timeline.isError && <Alert>{describeError(timeline.error)}</Alert>}
      {timeline.data && <Course patientId={p.id} name={fullName(p)} items={timeline.data.items} />}
    </>
  );
}

function Details({ patient: p }: { patient: Patient }) {
  const band = ageBand(p.birthYear);
  return (
    <section aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      {p.erasedAt && <Alert tone="info">Erased on request on {formatDate(p.erasedAt)}: the name is a pseudonym and contact details are gone.</Alert>}
      <dl className="details">
        <dt>Age</dt>
        <dd>{band ? `${band} (born ${p.birthYear})` : 'Birth year not recorded'}</dd>
        <dt>Phone</dt>
        <dd>{p.phone ?? 'None'}</dd>
        <dt>Email</dt>
        <dd>{p.email ?? 'None'}</dd>
        <dt>Clinic reference</dt>
        <dd>{p.externalRef ?? 'None'}</dd>
        <dt>Preferred channel</dt>
        <dd>{p.preferredChannel === 'sms' ? 'SMS' : 'Email'}</dd>
        <dt>Language</dt>
        <dd>{p.locale}</dd>
        <dt>Time zone</dt>
        <dd>{p.timeZone ?? "The clinic's"}</dd>
        {p.legalHoldAt && (
          <>
            <dt>Legal hold</dt>
            <dd>Since {formatDate(p.legalHoldAt)}{p.legalHoldReason ? `: ${p.legalHoldReason}` : ''}</dd>
          </>
        )}
      </dl>
      <h3>Consent per channel</h3>
      <DataTable className="data" columns={['Channel', 'Consent', 'Can be reached']}>
        <ConsentRow channel="SMS" contact={p.phone} at={p.smsConsentAt} source={p.smsConsentSource} optedOut={p.smsOptedOutAt} invalid={p.smsInvalidAt} />
        <ConsentRow channel="Email" contact={p.email} at={p.emailConsentAt} source={p.emailConsentSource} optedOut={p.emailOptedOutAt} invalid={p.emailInvalidAt} />
      </DataTable>
    </section>
  );
}

function ConsentRow(props: { channel: string; contact: string | null; at: string | null; source: string | null; optedOut: string | null; invalid: string | null }) {
  const consent = props.optedOut
    ? `Opted out ${formatDateTime(props.optedOut)}`
    : props.at
      ? `Given ${formatDateTime(props.at)}${props.source ? ` (${props.source})` : ''}`
      : 'Not given';
  const reach = !props.contact
    ? 'No contact details'
    : props.invalid
      ? `No: the provider said it cannot receive messages (${formatDateTime(props.invalid)})`
      : props.optedOut || !props.at
        ? 'No: without consent'
        : 'Yes';
  return (
    <tr>
      <th scope="row">{props.channel}</th>
      <td>{consent}</td>
      <td>{reach}</td>
    </tr>
  );
}

const TECHNIQUES: Record<string, string> = { manual: 'by hand', injector_gun: 'injector gun' };

/** Sessions of one procedure and protocol key form a course; the chart counts days from its first active session. */
function Course({ patientId, name, items }: { patientId: string; name: string; items: TimelineItem[] }) {
  const protocols = useProtocols();
  const treatments = items.filter((i): i is Treatment => i.type === 'treatment');
  const responses = items.filter((i): i is Response => i.type === 'response');
  const active = treatments.filter((t) => t.status === 'active');
  const first = active[0] ?? treatments[0];
  const expected = useMemo(() => (first ? protocolOf(protocols.data?.items ?? [], first)?.expectedCourse : undefined), [first, protocols.data]);
  const answers: SymptomAnswer[] = first
    ? responses
        .filter((r) => treatments.some((t) => t.id === r.treatmentId && t.protocolKey === first.protocolKey))
        .map((r) => ({ day: Math.floor((Date.parse(r.at) - Date.parse(first.at)) / DAY), at: r.at, scores: r.scores, warningSigns: r.warningSigns }))
    : [];

  return (
    <>
      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Sessions</h2>
        {treatments.length === 0 && <p className="muted">No treatment recorded yet.</p>}
        {treatments.map((t) => (
          <Session key={t.id} patientId={patientId} t={t} />
        ))}
      </section>
      <section aria-labelledby="chart-heading">
        <h2 id="chart-heading">Symptoms across the course</h2>
        {answers.length === 0 ? (
          <p className="muted">No answers yet.</p>
        ) : (
          <div className="course-chart">
            <SymptomChart answers={answers} expected={expected} label={`Symptoms of ${name} by day since ${formatDate(first.at)}`} />
          </div>
        )}
      </section>
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        {items.length === 0 ? <p className="muted">Nothing has happened yet.</p> : <ol className="timeline">{items.map((i) => <TimelineEntry key={`${i.type}-${i.id}`} item={i} />)}</ol>}
      </section>
    </>
  );
}

function protocolOf(all: Protocol[], t: Treatment): Protocol | undefined {
  return all.find((p) => p.key === t.protocolKey && p.version === t.protocolVersion) ?? all.find((p) => p.key === t.protocolKey);
}

function Session({ patientId, t }: { patientId: string; t: Treatment }) {
  const staff = useStaff();
  // Labels from the API's list of areas; words recorded before the list existed are shown as stored.
  const bodyAreas = useBodyAreas();
  const areaLabels = new Map<string, string>((bodyAreas.data?.items ?? []).map((a) => [a.id, a.label]));
  const cancelled = t.status === 'cancelled';
  return (
    <article className={`session${cancelled ? ' session-cancelled' : ''}`} aria-label={`Session of ${formatDateTime(t.at)}`}>
      <h3>
        {formatDateTime(t.at)} · {t.procedure} {cancelled && <span className="tag tag-cancelled">Cancelled</span>}
      </h3>
      <dl className="details">
        <dt>Product</dt>
        <dd>{t.product}</dd>
        <dt>Lot</dt>
        <dd>{t.lotNumber ?? 'Not recorded'}</dd>
        <dt>Areas</dt>
        <dd>{t.bodyAreas.map((a) => areaLabels.get(a) ?? a).join(', ')}</dd>
        <dt>Indication</dt>
        <dd>{t.indication}</dd>
        <dt>Technique</dt>
        <dd>{t.technique ? TECHNIQUES[t.technique] ?? t.technique : 'Not recorded'}</dd>
        <dt>Protocol</dt>
        <dd>
          {t.protocolKey}, version {t.protocolVersion}
        </dd>
        {cancelled && (
          <>
            <dt>Cancelled</dt>
            <dd>
              {t.cancelledAt ? formatDateTime(t.cancelledAt) : ''}
              {t.cancelReason ? `: ${t.cancelReason}` : ''}
            </dd>
          </>
        )}
      </dl>
      {/* Mounted after the cancel too: what it did stays on screen once the session shows as cancelled. */}
      {canCare(staff) && <CancelSession patientId={patientId} t={t} cancelled={!!cancelled} />}
    </article>
  );
}

function CancelSession({ patientId, t, cancelled }: { patientId: string; t: Treatment; cancelled: boolean }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/treatments/{id}/cancel', { params: { path: { id: t.id } }, body: { reason: reason.trim() } })),
    onSuccess: (res) => {
      setDone(`Session cancelled; ${res.cancelledCheckIns} planned check-in${res.cancelledCheckIns === 1 ? '' : 's'} will not go out.`);
      void queryClient.invalidateQueries({ queryKey: patientKeys.timeline(patientId) });
    },
  });
  const { byField, other } = fieldErrors(cancel.error, ['reason']);
  return (
    <>
      {done && <Alert tone="success">{done}</Alert>}
      {!cancelled && (
      <DialogTrigger>
        <Button variant="secondary">Cancel this session…</Button>
        <ModalOverlay className="modal-overlay" isDismissable>
          <Modal className="modal">
            <Dialog className="modal-dialog" aria-labelledby={`cancel-${t.id}`}>
              {({ close }) => (
                <Form
                  className="stack"
                  validationErrors={byField}
                  onSubmit={(e) => {
                    e.preventDefault();
                    cancel.mutate(undefined, { onSuccess: close });
                  }}
                >
                  <Heading slot="title" id={`cancel-${t.id}`}>
                    Cancel the session of {formatDateTime(t.at)}?
                  </Heading>
                  <p>Its planned check-ins will not go out. The session stays in the record, marked cancelled.</p>
                  <RefusalAlert error={cancel.error} byField={byField} other={other} />
                  <TextField name="reason" label="Reason" isRequired value={reason} onChange={setReason} autoFocus />
                  <SubmitOrClose submit="Cancel session" isPending={cancel.isPending} close="Keep it" onClose={close} />
                </Form>
              )}
            </Dialog>
          </Modal>
        </ModalOverlay>
      </DialogTrigger>
      )}
    </>
  );
}

const PURPOSES: Record<string, string> = {
  check_in: 'check-in',
  reminder: 'reminder',
  safety_advice: 'safety advice',
  clarification: 'clarification',
  staff_alert: 'staff alert',
  consent_reply: 'consent reply',
  aftercare_instructions: 'aftercare instructions',
  reply: 'reply',
};

function TimelineEntry({ item: i }: { item: TimelineItem }) {
  return (
    <li>
      <time dateTime={i.at}>{formatDateTime(i.at)}</time>
      {describe(i)}
    </li>
  );
}

function describe(i: TimelineItem) {
  switch (i.type) {
    case 'treatment':
      return (
        <span>
          Treatment: {i.procedure} with {i.product}
          {i.status === 'cancelled' && <> <span className="tag tag-cancelled">Cancelled</span></>}
        </span>
      );
    case 'check_in':
      return <span>Check-in day {i.dayOffset}: {i.status.replace(/_/g, ' ')}{i.channel ? ` by ${i.channel === 'sms' ? 'SMS' : 'email'}` : ''}</span>;
    case 'message':
      return <span>{i.direction === 'out' ? 'Sent' : 'Received'} {i.channel === 'sms' ? 'SMS' : 'email'}: {PURPOSES[i.purpose] ?? i.purpose} ({i.status})</span>;
    case 'response': {
      const scores = Object.entries(i.scores)
        .filter(([, v]) => v != null)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      return (
        <span>
          Answer on day {i.daySinceTreatment} by {i.source === 'sms' ? 'SMS' : 'form'}: {scores || 'no scores'}
          {i.warningSigns.length > 0 && <> · <span className="tag tag-warn">Warning signs: {i.warningSigns.map(warningSignLabel).join(', ')}</span></>}
          {i.hasFreeText && ' · wrote a comment'}
        </span>
      );
    }
    case 'flag':
      return (
        <span>
          <Link to={`/flags/${i.id}`}>
            {i.priority[0].toUpperCase() + i.priority.slice(1)} flag: {i.reason}
          </Link>{' '}
          ({i.status}
          {i.outcome ? `, ${i.outcome.replace(/_/g, ' ')}` : ''})
        </span>
      );
  }
}
