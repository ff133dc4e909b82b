import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Form } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { DataTable } from '../ui/DataTable';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { RefusalAlert } from '../ui/FormParts';
import { BodyAreasPicker, type BodyArea } from './BodyAreasPicker';
import { SelectField } from '../ui/fields';
import { fieldErrors, formatDateTime, fullName, isNotFound, patientKeys, useBodyAreas, usePatient, useProtocols, type CheckIn } from './patients-api';
import './patients.css';

type CreateTreatment = components['schemas']['CreateTreatmentDto'];
const FIELDS = ['procedure', 'indication', 'bodyAreas', 'product', 'lotNumber', 'technique', 'formula', 'protocolKey', 'performedAt'] as const;

/** "2026-12-04T09:30" for a datetime-local input, in the browser's zone. */
function localNow(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** Record a treatment session; the check-ins it plans are shown right after. */
export default function RecordTreatmentPage() {
  const { id = '' } = useParams();
  const patient = usePatient(id);
  const protocols = useProtocols();
  const queryClient = useQueryClient();
  useDocumentTitle('Record a treatment');
  const [f, setF] = useState({ procedure: '', indication: '', product: '', lotNumber: '', technique: '', formula: '', protocolKey: '', performedAt: localNow() });
  const set = <K extends keyof typeof f>(k: K) => (v: string) => setF((old) => ({ ...old, [k]: v }));
  const [areas, setAreas] = useState<BodyArea[]>([]);
  const [areasMissing, setAreasMissing] = useState(false);
  const bodyAreas = useBodyAreas();

  const record = useMutation({
    mutationFn: (body: CreateTreatment) => unwrap(api.POST('/v1/treatments', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: patientKeys.timeline(id) }),
  });
  const { byField, other } = fieldErrors(record.error, FIELDS);
  // The areas' errors in the picker's words: none chosen (caught here), or one the API does not take.
  const shownErrors = { ...byField };
  if (areasMissing) shownErrors.bodyAreas = 'Choose at least one area treated.';
  else if (byField.bodyAreas) shownErrors.bodyAreas = areaError(byField.bodyAreas);

  if (patient.isPending) return <Loading label="Loading the patient…" />;
  if (patient.isError)
    return isNotFound(patient.error) ? (
      <>
        <h1>Patient not found</h1>
        <p>
          There is no patient with this link in your clinic. <Link to="/patients">Find a patient</Link>.
        </p>
      </>
    ) : (
      <Alert>{describeError(patient.error)}</Alert>
    );
  const name = fullName(patient.data);

  if (record.data) {
    const t = record.data;
    return (
      <>
        <h1>Treatment recorded for {name}</h1>
        <Alert tone="success">
          {t.procedure} with {t.product} on {formatDateTime(t.performedAt)} is recorded under protocol {t.protocolKey} (version {t.protocolVersion}).
        </Alert>
        <PlannedCheckIns items={t.checkIns} />
        <p className="page-actions">
          <Link to={`/patients/${id}`}>Back to {name}</Link>
        </p>
      </>
    );
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setAreasMissing(areas.length === 0);
    if (areas.length === 0) return;
    const body: CreateTreatment = {
      patientId: id,
      procedure: f.procedure.trim(),
      indication: f.indication.trim(),
      bodyAreas: areas,
      product: f.product.trim(),
      performedAt: f.performedAt ? new Date(f.performedAt).toISOString() : '',
    };
    if (f.lotNumber.trim()) body.lotNumber = f.lotNumber.trim();
    if (f.technique) body.technique = f.technique as CreateTreatment['technique'];
    if (f.formula.trim()) body.formula = f.formula.trim();
    if (f.protocolKey) body.protocolKey = f.protocolKey;
    record.mutate(body);
  }

  const keys = [...new Map((protocols.data?.items ?? []).map((p) => [p.key, p])).values()];
  return (
    <>
      <p>
        <Link to={`/patients/${id}`}>← {name}</Link>
      </p>
      <h1>Record a treatment for {name}</h1>
      <RefusalAlert error={record.error} byField={byField} other={other} checkFields="Check the fields marked below." />
      <Form className="stack" onSubmit={submit} validationErrors={shownErrors} validationBehavior="aria">
        <div className="form-grid">
          <TextField name="procedure" label="Procedure" description="e.g. mesotherapy" isRequired value={f.procedure} onChange={set('procedure')} />
          <TextField name="indication" label="Indication" description="e.g. cellulite, skin rejuvenation" isRequired value={f.indication} onChange={set('indication')} />
          {bodyAreas.isPending ? (
            <Loading label="Loading the treatment areas…" />
          ) : bodyAreas.isError ? (
            <Alert>{describeError(bodyAreas.error)}</Alert>
          ) : (
            <BodyAreasPicker areas={bodyAreas.data.items} value={areas} onChange={(v) => { setAreas(v); if (v.length) setAreasMissing(false); }} />
          )}
          <TextField name="product" label="Product" isRequired value={f.product} onChange={set('product')} />
          <TextField name="lotNumber" label="Lot number" value={f.lotNumber} onChange={set('lotNumber')} />
          <SelectField name="technique" label="Technique" value={f.technique} onChange={set('technique')} error={byField.technique}>
            <option value="">Not recorded</option>
            <option value="manual">By hand</option>
            <option value="injector_gun">Injector gun</option>
          </SelectField>
          <TextField name="formula" label="Formula" description="The cocktail injected, if any" value={f.formula} onChange={set('formula')} />
          <SelectField name="protocolKey" label="Follow-up protocol" value={f.protocolKey} onChange={set('protocolKey')} error={byField.protocolKey} description="Without a choice: chosen from the areas">
            <option value="">Chosen from the areas</option>
            {keys.map((p) => (
              <option key={p.key} value={p.key}>
                {p.name} ({p.key})
              </option>
            ))}
          </SelectField>
          <TextField name="performedAt" label="Performed at" type="datetime-local" isRequired value={f.performedAt} onChange={set('performedAt')} />
        </div>
        <div>
          <Button type="submit" isPending={record.isPending}>
            Record treatment
          </Button>
        </div>
      </Form>
    </>
  );
}

/** "BodyAreas: "kneecap" is not a treatment area; each must be one of …" → what to do about it here. */
function areaError(message: string): string {
  const unknown = /^bodyareas:\s*(.+?) (?:is|are) not (?:a )?treatment areas?/i.exec(message);
  if (unknown) return `Aftercare does not take ${unknown[1]} as a treatment area. Reload the page for the current list, then choose again.`;
  return message.replace(/^bodyAreas\b(:?)\s*/i, (_, colon: string) => (colon ? 'Areas: ' : 'Areas '));
}

const STATUS: Record<string, string> = { scheduled: 'Planned', superseded: 'Replaced by a later session', cancelled: 'Cancelled' };

function PlannedCheckIns({ items }: { items: CheckIn[] }) {
  return (
    <section aria-labelledby="planned-heading">
      <h2 id="planned-heading">Planned check-ins</h2>
      {items.length === 0 ? (
        <p className="muted">No check-ins are planned for this session.</p>
      ) : (
        <DataTable className="data" columns={['Day', 'Due', 'Channel', 'Status']}>
          {items.map((c) => (
            <tr key={c.id}>
              <td>Day {c.dayOffset}</td>
              <td>{formatDateTime(c.dueAt)}</td>
              <td>{c.channel === 'sms' ? 'SMS' : c.channel === 'email' ? 'Email' : 'Chosen when sent'}</td>
              <td>{STATUS[c.status] ?? c.status}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
