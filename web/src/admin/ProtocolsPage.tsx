import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Form } from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import '../patients/patients.css';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { AdminOnly } from './AdminOnly';
import { adminKeys, formatDateTime, type Protocol, type ProtocolUsage, type PutProtocol } from './admin-api';
import { fieldErrorsOf } from './field-errors';
import { DataTable, hiddenHeader } from '../ui/DataTable';
import './admin.css';

const SYMPTOMS = ['bruising', 'redness', 'itching', 'burning', 'pain'] as const;
type Symptom = (typeof SYMPTOMS)[number];
const SYMPTOM_NAMES: Record<Symptom, string> = { bruising: 'Bruising', redness: 'Redness', itching: 'Itching', burning: 'Burning', pain: 'Pain' };

/** Protocols: each key's versions, one beside the version before it, and a new version from an edited copy. */
export default function ProtocolsPage() {
  return (
    <AdminOnly>
      <Protocols />
    </AdminOnly>
  );
}

function Protocols() {
  useDocumentTitle('Protocols');
  const [params, setParams] = useSearchParams();
  const current = useQuery({ queryKey: adminKeys.protocols, queryFn: ({ signal }) => unwrap(api.GET('/v1/protocols', { signal })) });
  const usage = useQuery({ queryKey: adminKeys.usage, queryFn: ({ signal }) => unwrap(api.GET('/v1/protocols/usage', { signal })) });
  if (current.isPending) return <Loading label="Loading the protocols…" />;
  if (current.isError) return <Alert>{describeError(current.error)}</Alert>;
  const keys = current.data.items;
  const key = params.get('key') ?? keys[0]?.key;
  return (
    <>
      <h1>Protocols</h1>
      <p className="muted">A protocol sets when check-ins go out and what course of each symptom is usual. Versions are never changed: a change is a new version. New treatments get the newest version; treatments already recorded keep theirs.</p>
      <nav aria-label="Protocols">
        <ul className="version-list">
          {keys.map((p) => (
            <li key={p.key}>
              <Link to={`?key=${encodeURIComponent(p.key)}`} aria-current={p.key === key ? 'page' : undefined} className={`button ${p.key === key ? 'button-primary' : 'button-quiet'}`}>
                {p.name} <span className="muted-inline">({p.key})</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {key && <ProtocolVersions key={key} protocolKey={key} usage={usage.data?.items ?? []} version={params.get('version')} onVersion={(v) => setParams({ key, version: String(v) })} />}
    </>
  );
}

function ProtocolVersions({ protocolKey, usage, version, onVersion }: { protocolKey: string; usage: ProtocolUsage[]; version: string | null; onVersion: (v: number) => void }) {
  const versions = useQuery({
    queryKey: adminKeys.versions(protocolKey),
    queryFn: ({ signal }) => unwrap(api.GET('/v1/protocols/keys/{key}/versions', { params: { path: { key: protocolKey } }, signal })),
  });
  const [editing, setEditing] = useState(false);
  const [created, setCreated] = useState<number | null>(null);
  if (versions.isPending) return <Loading label="Loading the versions…" />;
  if (versions.isError) return <Alert>{describeError(versions.error)}</Alert>;
  const items = versions.data.items; // newest first
  const shown = items.find((p) => String(p.version) === version) ?? items[0];
  const previous = items[items.indexOf(shown) + 1] ?? null;
  const usageOf = (p: Protocol) => usage.find((u) => u.protocolId === p.id);
  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">{items[0].name}: versions</h2>
      {created !== null && <Alert tone="success">Version {created} is saved. New treatments get it from now on.</Alert>}
      <DataTable region={{ label: 'Versions' }} className="data" columns={['Version', 'Made', 'Treatments using it', hiddenHeader('Compare')]}>
        {items.map((p) => {
          const u = usageOf(p);
          return (
            <tr key={p.id} aria-current={p === shown ? 'true' : undefined}>
              <th scope="row">
                Version {p.version}
                {p === items[0] && ' (newest)'}
                <span className="muted" style={{ display: 'block', fontWeight: 400 }}>
                  {p.name}
                </span>
              </th>
              <td>{p.shipped ? 'Shipped with Aftercare' : formatDateTime(p.createdAt)}</td>
              <td>{u ? `${u.treatments} (${u.activeTreatments} not cancelled) for ${u.patients} ${u.patients === 1 ? 'patient' : 'patients'}; last ${formatDateTime(u.lastPerformedAt)}` : 'None'}</td>
              <td>
                {p === shown ? (
                  <span>Shown below</span>
                ) : (
                  <Button variant="quiet" onPress={() => onVersion(p.version)} aria-label={`Show version ${p.version} beside the one before it`}>
                    Show
                  </Button>
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
      <Comparison shown={shown} previous={previous} />
      {editing ? (
        <NewVersion
          protocolKey={protocolKey}
          from={items[0]}
          onDone={(p) => {
            setEditing(false);
            if (p) {
              setCreated(p.version);
              onVersion(p.version);
            }
          }}
        />
      ) : (
        <p>
          <Button onPress={() => { setCreated(null); setEditing(true); }}>New version from a copy of version {items[0].version}</Button>
        </p>
      )}
    </section>
  );
}

const bandsText = (p: Protocol, s: Symptom) => p.expectedCourse[s].map((b) => `up to ${b.max} through day ${b.throughDay}`).join('; ') || 'Not usual at all';
const ROWS: Array<{ label: string; value: (p: Protocol) => string }> = [
  { label: 'Name', value: (p) => p.name },
  { label: 'Check-ins on days', value: (p) => p.dayOffsets.join(', ') },
  { label: 'Sent at', value: (p) => p.sendTime },
  { label: 'Answers taken for', value: (p) => `${p.expiryHours} hours` },
  { label: 'Reminder after', value: (p) => (p.reminderAfterHours === null ? 'No reminder' : `${p.reminderAfterHours} hours`) },
  ...SYMPTOMS.map((s) => ({ label: `Usual ${SYMPTOM_NAMES[s].toLowerCase()} (score 0–4)`, value: (p: Protocol) => bandsText(p, s) })),
];

/** A version beside the one before it; rows that differ are marked in words, not by colour alone. */
function Comparison({ shown, previous }: { shown: Protocol; previous: Protocol | null }) {
  const changed = previous ? ROWS.filter((r) => r.value(shown) !== r.value(previous)).length : 0;
  return (
    <section aria-labelledby="compare-heading">
      <h3 id="compare-heading">{previous ? `Version ${shown.version} beside version ${previous.version}` : `Version ${shown.version} (the first)`}</h3>
      {previous && <p>{changed === 0 ? 'Nothing differs.' : `${changed} ${changed === 1 ? 'thing differs' : 'things differ'}, marked “Changed”.`}</p>}
      <DataTable
        region={{ label: 'Comparison' }}
        className="diff"
        columns={[hiddenHeader('Setting'), ...(previous ? [`Version ${previous.version}`] : []), `Version ${shown.version}`]}
      >
        {ROWS.map((r) => {
          const isChanged = previous !== null && r.value(shown) !== r.value(previous);
          return (
            <tr key={r.label} className={isChanged ? 'changed' : undefined}>
              <th scope="row">
                {r.label}
                {isChanged && <span className="changed-label">Changed</span>}
              </th>
              {previous && <td>{r.value(previous)}</td>}
              <td>{r.value(shown)}</td>
            </tr>
          );
        })}
      </DataTable>
    </section>
  );
}

const FORM_ROOTS = ['name', 'dayOffsets', 'sendTime', 'expiryHours', 'reminderAfterHours', 'expectedCourse', 'key'];

/** "through day 3 up to 2" as the text "3:2"; bands separated by commas. */
const bandsField = (p: Protocol, s: Symptom) => p.expectedCourse[s].map((b) => `${b.throughDay}:${b.max}`).join(', ');

function parseBands(text: string): Array<{ throughDay: number; max: number }> | string {
  const parts = text.split(',').map((x) => x.trim()).filter(Boolean);
  const bands = [];
  for (const part of parts) {
    const m = /^(\d+)\s*:\s*(\d+)$/.exec(part);
    if (!m) return `“${part}” is not day:score, e.g. 7:3`;
    bands.push({ throughDay: Number(m[1]), max: Number(m[2]) });
  }
  return bands;
}

function NewVersion({ protocolKey, from, onDone }: { protocolKey: string; from: Protocol; onDone: (p: Protocol | null) => void }) {
  const queryClient = useQueryClient();
  const [local, setLocal] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: (body: PutProtocol) => unwrap(api.PUT('/v1/protocols/{key}', { params: { path: { key: protocolKey } }, body })),
    onSuccess: async (p) => {
      await queryClient.invalidateQueries({ queryKey: adminKeys.protocols });
      onDone(p);
    },
  });
  const api400 = fieldErrorsOf(save.error, FORM_ROOTS);
  // A band's message (expectedCourse.redness.1.max …) goes to its symptom's field.
  const byField: Record<string, string> = { ...local };
  for (const [path, message] of Object.entries(api400.byField)) {
    const field = path.startsWith('expectedCourse.') ? path.split('.').slice(0, 2).join('.') : path.split('.')[0];
    byField[field] ??= message;
  }
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    const errors: Record<string, string> = {};
    const course: Record<string, Array<{ throughDay: number; max: number }>> = {};
    for (const s of SYMPTOMS) {
      const bands = parseBands(text(`expectedCourse.${s}`));
      if (typeof bands === 'string') errors[`expectedCourse.${s}`] = bands;
      else course[s] = bands;
    }
    const days = text('dayOffsets').split(/[,\s]+/).filter(Boolean).map((d) => (/^\d+$/.test(d) ? Number(d) : NaN));
    if (days.some((d) => Number.isNaN(d))) errors.dayOffsets = 'Days must be whole numbers separated by commas, e.g. 1, 3, 7.';
    setLocal(errors);
    if (Object.keys(errors).length) return;
    const num = (k: string) => (/^-?\d+$/.test(text(k)) ? Number(text(k)) : (text(k) as unknown as number));
    save.mutate({
      name: text('name'),
      dayOffsets: days,
      sendTime: text('sendTime'),
      expiryHours: num('expiryHours'),
      reminderAfterHours: text('reminderAfterHours') === '' ? null : num('reminderAfterHours'),
      expectedCourse: course as PutProtocol['expectedCourse'],
    });
  };
  return (
    <section aria-labelledby="new-version-heading" className="panel">
      <h3 id="new-version-heading" style={{ marginTop: 0 }}>
        New version, copied from version {from.version}
      </h3>
      {save.isError && (api400.other.length > 0 || Object.keys(api400.byField).length === 0) && <Alert>{api400.other.length ? api400.other.join(' ') : describeError(save.error)}</Alert>}
      {Object.keys(byField).length > 0 && <Alert>Check the fields marked below.</Alert>}
      <Form className="settings-form" onSubmit={submit} validationErrors={byField} validationBehavior="aria">
        <div className="form-grid">
          <TextField name="name" label="Name" defaultValue={from.name} isRequired />
          <TextField name="dayOffsets" label="Check-ins on days" defaultValue={from.dayOffsets.join(', ')} description="Days after the session, ascending, separated by commas." isRequired />
          <TextField name="sendTime" label="Sent at" defaultValue={from.sendTime} description="Local time, HH:mm." isRequired />
          <TextField name="expiryHours" label="Answers taken for (hours)" defaultValue={String(from.expiryHours)} inputMode="numeric" isRequired />
          <TextField name="reminderAfterHours" label="Reminder after (hours)" defaultValue={from.reminderAfterHours === null ? '' : String(from.reminderAfterHours)} inputMode="numeric" description="Empty: no reminder." />
        </div>
        <fieldset>
          <legend>Usual course of each symptom</legend>
          <p className="muted">Bands as day:score, e.g. “3:6, 7:3, 14:1”: a score up to 6 is usual through day 3, up to 3 through day 7, up to 1 through day 14, none after.</p>
          <div className="form-grid">
            {SYMPTOMS.map((s) => (
              <TextField key={s} name={`expectedCourse.${s}`} label={SYMPTOM_NAMES[s]} defaultValue={bandsField(from, s)} />
            ))}
          </div>
        </fieldset>
        <div className="admin-actions">
          <Button type="submit" isPending={save.isPending}>
            Save as a new version
          </Button>
          <Button variant="quiet" onPress={() => onDone(null)}>
            Cancel
          </Button>
        </div>
      </Form>
    </section>
  );
}
