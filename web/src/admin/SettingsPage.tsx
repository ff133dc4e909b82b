import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Form } from 'react-aria-components';
import { api, unwrap } from '../api/client';
import { SelectField } from '../ui/fields';
import '../patients/patients.css';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { AdminOnly } from './AdminOnly';
import { adminKeys, type Clinic, type Shift, type UpdateClinic } from './admin-api';
import { fieldErrorsOf } from './field-errors';
import { DataTable } from '../ui/DataTable';
import { RefusalAlert } from '../ui/FormParts';
import './admin.css';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** The clinic's settings and its weekly on-call rota. */
export default function SettingsPage() {
  return (
    <AdminOnly>
      <Settings />
    </AdminOnly>
  );
}

function Settings() {
  useDocumentTitle('Clinic settings');
  const clinic = useQuery({ queryKey: adminKeys.clinic, queryFn: ({ signal }) => unwrap(api.GET('/v1/clinic', { signal })) });
  return (
    <>
      <h1>Clinic settings</h1>
      {clinic.isPending ? <Loading label="Loading the settings…" /> : clinic.isError ? <Alert>{describeError(clinic.error)}</Alert> : <ClinicForm clinic={clinic.data} />}
      <RotaEditor />
    </>
  );
}

const CLINIC_FIELDS = ['name', 'timeZone', 'phone', 'smsFrom', 'emailFrom', 'sendWindowStart', 'sendWindowEnd', 'escalateUrgentAfterMinutes', 'escalateHighAfterHours'] as const;
type ClinicField = (typeof CLINIC_FIELDS)[number];
type Values = Record<ClinicField, string>;

function valuesOf(c: Clinic): Values {
  const s = (v: string | number | null) => (v === null ? '' : String(v));
  return {
    name: c.name,
    timeZone: c.timeZone,
    phone: s(c.phone),
    smsFrom: s(c.smsFrom),
    emailFrom: s(c.emailFrom),
    sendWindowStart: c.sendWindowStart,
    sendWindowEnd: c.sendWindowEnd,
    escalateUrgentAfterMinutes: s(c.escalateUrgentAfterMinutes),
    escalateHighAfterHours: s(c.escalateHighAfterHours),
  };
}

/** Only what changed goes to PATCH /v1/clinic; an emptied optional field is cleared (null). */
function patchOf(before: Values, after: Values): UpdateClinic {
  const patch: Record<string, unknown> = {};
  for (const key of CLINIC_FIELDS) {
    const v = after[key].trim();
    if (v === before[key]) continue;
    if (key === 'escalateUrgentAfterMinutes' || key === 'escalateHighAfterHours') patch[key] = v === '' ? null : /^-?\d+$/.test(v) ? Number(v) : v;
    else if (key === 'phone' || key === 'smsFrom' || key === 'emailFrom') patch[key] = v === '' ? null : v;
    else patch[key] = v;
  }
  return patch as UpdateClinic;
}

/** The two escalation delays: empty means the service's default, which the description names. */
const ESCALATION_FIELDS: Array<{ name: 'escalateUrgentAfterMinutes' | 'escalateHighAfterHours'; label: string; description: (d: Clinic['escalationDefaults']) => string }> = [
  {
    name: 'escalateUrgentAfterMinutes',
    label: 'Urgent flags after (minutes)',
    description: (d) => `Every practitioner and administrator is alerted. Empty: the default, ${d.urgentAfterMinutes} minutes.`,
  },
  { name: 'escalateHighAfterHours', label: 'High flags after (hours)', description: (d) => `Empty: the default, ${d.highAfterHours} hours.` },
];

function ClinicForm({ clinic }: { clinic: Clinic }) {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(valuesOf(clinic));
  const [v, setV] = useState(saved);
  const [done, setDone] = useState(false);
  // A field changed since the last save no longer shows that save's error: it goes as the person
  // types, not when the field loses focus (which would move the Save button under the pointer).
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const set = (k: ClinicField) => (value: string) => {
    setV((old) => ({ ...old, [k]: value }));
    setEdited((old) => (old.has(k) ? old : new Set(old).add(k)));
    setDone(false);
  };
  const save = useMutation({
    mutationFn: (body: UpdateClinic) => unwrap(api.PATCH('/v1/clinic', { body })),
    onSuccess: (next) => {
      queryClient.setQueryData(adminKeys.clinic, next);
      const values = valuesOf(next);
      setSaved(values);
      setV(values);
      setDone(true);
    },
  });
  const errors = fieldErrorsOf(save.error, CLINIC_FIELDS);
  const other = errors.other;
  const byField = Object.fromEntries(Object.entries(errors.byField).filter(([k]) => !edited.has(k)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    setEdited(new Set());
    const patch = patchOf(saved, v);
    if (!Object.keys(patch).length) {
      setDone(true);
      return;
    }
    save.mutate(patch);
  };
  const d = clinic.escalationDefaults;
  return (
    <section aria-labelledby="clinic-heading">
      <h2 id="clinic-heading">Clinic</h2>
      {done && <Alert tone="success">The settings are saved.</Alert>}
      <RefusalAlert error={save.error} byField={errors.byField} other={other} checkFields="Check the fields marked below." />
      <Form className="settings-form" onSubmit={submit} validationErrors={byField} validationBehavior="aria">
        <fieldset>
          <legend>The clinic</legend>
          <div className="form-grid">
            <TextField name="name" label="Name" isRequired value={v.name} onChange={set('name')} description="Patients see it in every message." />
            <TextField name="phone" label="Phone" type="tel" value={v.phone} onChange={set('phone')} description="With the country code, e.g. +34911234567; patients are told to call it." />
            <TextField name="timeZone" label="Time zone" value={v.timeZone} onChange={set('timeZone')} description="e.g. Europe/Madrid: send times and the rota are in it." />
          </div>
        </fieldset>
        <fieldset>
          <legend>Messages to patients</legend>
          <div className="form-grid">
            <TextField name="smsFrom" label="SMS sender" value={v.smsFrom} onChange={set('smsFrom')} description="A number (+34600000000) or a messaging service SID (MG…). Empty: the service's default sender." />
            <TextField name="emailFrom" label="Email sender" type="email" value={v.emailFrom} onChange={set('emailFrom')} description="An address at a domain the service may send for. Empty: the service's default." />
            <TextField name="sendWindowStart" label="Send from" value={v.sendWindowStart} onChange={set('sendWindowStart')} description="Local time, HH:mm." />
            <TextField name="sendWindowEnd" label="Send until" value={v.sendWindowEnd} onChange={set('sendWindowEnd')} description="Local time, HH:mm; nothing is sent outside these hours." />
          </div>
        </fieldset>
        <fieldset>
          <legend>Escalation of unacknowledged flags</legend>
          <div className="form-grid">
            {ESCALATION_FIELDS.map((f) => (
              <TextField key={f.name} name={f.name} label={f.label} inputMode="numeric" value={v[f.name]} onChange={set(f.name)} description={f.description(d)} />
            ))}
          </div>
        </fieldset>
        <div>
          <Button type="submit" isPending={save.isPending}>
            Save settings
          </Button>
        </div>
      </Form>
    </section>
  );
}

interface Row extends Shift {
  key: number;
}

let nextKey = 1;
const row = (s: Shift): Row => ({ ...s, key: nextKey++ });

function minutes(t: string): number | null {
  const m = /^(\d\d):(\d\d)$/.exec(t.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Ends on the next day: the end is not later than the start (24:00 is the end of the same day). */
function pastMidnight(s: Pick<Shift, 'start' | 'end'>): boolean {
  const a = minutes(s.start);
  const b = minutes(s.end);
  return a !== null && b !== null && s.end !== '24:00' && b <= a;
}

/** The weekly rota: shifts per weekday, a shift may run past midnight into the next day. */
function RotaEditor() {
  const queryClient = useQueryClient();
  const rota = useQuery({ queryKey: adminKeys.rota, queryFn: ({ signal }) => unwrap(api.GET('/v1/clinic/on-call', { signal })) });
  const [rows, setRows] = useState<Row[] | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (rota.data && rows === null) setRows(rota.data.shifts.map(row));
  }, [rota.data, rows]);
  const save = useMutation({
    mutationFn: (shifts: Shift[]) => unwrap(api.PUT('/v1/clinic/on-call', { body: { shifts } })),
    onSuccess: (next) => {
      queryClient.setQueryData(adminKeys.rota, next);
      setRows(next.shifts.map(row));
      setDone(true);
    },
  });
  if (rota.isError) return <Alert>{describeError(rota.error)}</Alert>;
  if (rota.isPending || rows === null) return <Loading label="Loading the rota…" />;
  const { staff, timeZone } = rota.data;
  const { byField, other } = fieldErrorsOf(save.error, ['shifts']);
  const change = (key: number, patch: Partial<Shift>) => {
    setDone(false);
    setRows((old) => old!.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    save.mutate(rows.map(({ staffUserId, weekday, start, end }) => ({ staffUserId, weekday, start: start.trim(), end: end.trim() })));
  };
  return (
    <section aria-labelledby="rota-heading">
      <h2 id="rota-heading">On-call rota</h2>
      <p className="muted">
        Who is alerted first for an urgent flag, each week. Times are in the clinic’s time zone ({timeZone}). A shift whose end is earlier than its start runs past midnight into the next day; 00:00–24:00 is the whole day. Nobody on call: every
        practitioner is alerted.
      </p>
      {done && <Alert tone="success">The rota is saved.</Alert>}
      <RefusalAlert error={save.error} byField={byField} other={other} checkFields="Check the shifts marked below." />
      {staff.length === 0 && <Alert tone="info">The clinic has no active practitioner or administrator to put on the rota.</Alert>}
      <WeekGrid rows={rows} nameOf={(id) => staff.find((s) => s.id === id)?.name ?? 'A former staff member'} />
      <Form className="settings-form" onSubmit={submit} validationErrors={byField} validationBehavior="aria">
        <fieldset>
          <legend>Weekly shifts</legend>
          {WEEKDAYS.map((day, d) => {
            const weekday = d + 1;
            const mine = rows.map((r, index) => ({ r, index })).filter(({ r }) => r.weekday === weekday);
            return (
              <div key={day} className="rota-day" role="group" aria-labelledby={`day-${weekday}`}>
                <h3 id={`day-${weekday}`}>{day}</h3>
                {mine.length === 0 && <p className="muted">Nobody on call.</p>}
                {mine.map(({ r, index }) => {
                  const n = mine.findIndex((m) => m.r.key === r.key) + 1;
                  const label = `${day} shift ${n}`;
                  return (
                    <div key={r.key} className="shift" role="group" aria-label={label}>
                      <SelectField name={`shifts.${index}.staffUserId`} label={`Who (${label})`} value={r.staffUserId} onChange={(id) => change(r.key, { staffUserId: id })} error={byField[`shifts.${index}.staffUserId`]}>
                        {!staff.some((s) => s.id === r.staffUserId) && <option value={r.staffUserId}>A former staff member</option>}
                        {staff.map((s) => (
                          <option key={s.id} value={s.id}>
                            {s.name}
                          </option>
                        ))}
                      </SelectField>
                      <TextField name={`shifts.${index}.start`} label={`From (${label})`} value={r.start} onChange={(start) => change(r.key, { start })} />
                      <TextField name={`shifts.${index}.end`} label={`Until (${label})`} value={r.end} onChange={(end) => change(r.key, { end })} />
                      <Button variant="quiet" aria-label={`Remove ${label}`} onPress={() => setRows((old) => old!.filter((x) => x.key !== r.key))}>
                        Remove
                      </Button>
                      {pastMidnight(r) && <p className="next-day muted">Ends {r.end} on {WEEKDAYS[weekday % 7]} (past midnight).</p>}
                      {byField[`shifts.${index}`] && <p className="next-day field-error">{byField[`shifts.${index}`]}</p>}
                    </div>
                  );
                })}
                {staff.length > 0 && (
                  <Button
                    variant="secondary"
                    aria-label={`Add a shift on ${day}`}
                    onPress={() => {
                      setDone(false);
                      setRows((old) => [...old!, row({ staffUserId: staff[0].id, weekday, start: '08:00', end: '20:00' })]);
                    }}
                  >
                    Add a shift
                  </Button>
                )}
              </div>
            );
          })}
        </fieldset>
        <div>
          <Button type="submit" isPending={save.isPending}>
            Save rota
          </Button>
        </div>
      </Form>
    </section>
  );
}

/**
 * The week at a glance, as edited (before saving): each day lists the shifts that start on it and
 * the end of a shift that began the day before and runs past midnight.
 */
function WeekGrid({ rows, nameOf }: { rows: Row[]; nameOf: (id: string) => string }) {
  const valid = rows.filter((r) => minutes(r.start) !== null && (minutes(r.end) !== null || r.end === '24:00'));
  const sorted = [...valid].sort((a, b) => a.start.localeCompare(b.start));
  return (
    <DataTable region={{ label: 'The week at a glance' }} className="week-grid" caption="The week at a glance (unsaved changes included)" columns={WEEKDAYS}>
      <tr>
        {WEEKDAYS.map((d, i) => {
          const weekday = i + 1;
          const previous = ((weekday + 5) % 7) + 1;
          const spill = sorted.filter((r) => r.weekday === previous && pastMidnight(r) && r.end !== '00:00');
          const own = sorted.filter((r) => r.weekday === weekday);
          return (
            <td key={d}>
              {spill.length + own.length === 0 ? (
                <span className="muted">Nobody</span>
              ) : (
                <ul>
                  {spill.map((r) => (
                    <li key={`s${r.key}`}>
                      00:00–{r.end} {nameOf(r.staffUserId)} <span className="muted">(from {WEEKDAYS[previous - 1]})</span>
                    </li>
                  ))}
                  {own.map((r) => (
                    <li key={r.key}>
                      {r.start}–{pastMidnight(r) ? `${r.end} next day` : r.end} {nameOf(r.staffUserId)}
                    </li>
                  ))}
                </ul>
              )}
            </td>
          );
        })}
      </tr>
    </DataTable>
  );
}
