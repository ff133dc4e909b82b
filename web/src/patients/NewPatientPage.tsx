import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Form } from 'react-aria-components';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { Button } from '../ui/Button';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { RefusalAlert } from '../ui/FormParts';
import { CheckField, SelectField } from '../ui/fields';
import { fieldErrors } from './patients-api';
import './patients.css';

type CreatePatient = components['schemas']['CreatePatientDto'];
const FIELDS = ['givenName', 'familyName', 'birthYear', 'phone', 'email', 'externalRef', 'timeZone', 'locale', 'preferredChannel', 'smsConsent', 'emailConsent', 'consentSource'] as const;

/** Add a patient: names, contact, time zone, locale, preferred channel and consent per channel with its source. */
export default function NewPatientPage() {
  useDocumentTitle('New patient');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [f, setF] = useState({
    givenName: '',
    familyName: '',
    birthYear: '',
    phone: '',
    email: '',
    externalRef: '',
    timeZone: '',
    locale: 'en',
    preferredChannel: '',
    smsConsent: false,
    emailConsent: false,
    consentSource: '',
  });
  const set = <K extends keyof typeof f>(k: K) => (v: (typeof f)[K]) => setF((old) => ({ ...old, [k]: v }));

  const create = useMutation({
    mutationFn: (body: CreatePatient) => unwrap(api.POST('/v1/patients', { body })),
    onSuccess: (patient) => {
      void queryClient.invalidateQueries({ queryKey: ['patients'] });
      navigate(`/patients/${patient.id}`, { state: { created: true } });
    },
  });
  const { byField, other } = fieldErrors(create.error, FIELDS);

  function submit(e: FormEvent) {
    e.preventDefault();
    const body: CreatePatient = {
      givenName: f.givenName.trim(),
      familyName: f.familyName.trim(),
      locale: f.locale as CreatePatient['locale'],
    };
    if (f.birthYear.trim()) body.birthYear = Number(f.birthYear.trim());
    if (f.phone.trim()) body.phone = f.phone.trim();
    if (f.email.trim()) body.email = f.email.trim();
    if (f.externalRef.trim()) body.externalRef = f.externalRef.trim();
    if (f.timeZone.trim()) body.timeZone = f.timeZone.trim();
    if (f.preferredChannel) body.preferredChannel = f.preferredChannel as CreatePatient['preferredChannel'];
    if (f.smsConsent) body.smsConsent = true;
    if (f.emailConsent) body.emailConsent = true;
    if (f.consentSource.trim()) body.consentSource = f.consentSource.trim();
    create.mutate(body);
  }

  return (
    <>
      <p>
        <Link to="/patients">← Patients</Link>
      </p>
      <h1>New patient</h1>
      <RefusalAlert error={create.error} byField={byField} other={other} checkFields="Check the fields marked below." />
      <Form className="stack" onSubmit={submit} validationErrors={byField} validationBehavior="aria">
        <div className="form-grid">
          <TextField name="givenName" label="Given name" isRequired value={f.givenName} onChange={set('givenName')} />
          <TextField name="familyName" label="Family name" isRequired value={f.familyName} onChange={set('familyName')} />
          <TextField name="birthYear" label="Birth year" description="For the age band staff see" inputMode="numeric" value={f.birthYear} onChange={set('birthYear')} />
          <TextField name="externalRef" label="Clinic reference" description="The clinic system's id, if any" value={f.externalRef} onChange={set('externalRef')} />
        </div>
        <fieldset>
          <legend>Contact</legend>
          <div className="form-grid">
            <TextField name="phone" label="Mobile phone" type="tel" description="With the country code, e.g. +44 7700 900123" value={f.phone} onChange={set('phone')} />
            <TextField name="email" label="Email" type="email" value={f.email} onChange={set('email')} />
            <SelectField name="preferredChannel" label="Preferred channel" value={f.preferredChannel} onChange={set('preferredChannel')} error={byField.preferredChannel} description="Without a choice: SMS when there is a phone">
              <option value="">Chosen from the contact details</option>
              <option value="sms">SMS</option>
              <option value="email">Email</option>
            </SelectField>
            <TextField name="timeZone" label="Time zone" description="e.g. Europe/London; empty: the clinic's" value={f.timeZone} onChange={set('timeZone')} />
            <SelectField name="locale" label="Language" value={f.locale} onChange={set('locale')} error={byField.locale}>
              <option value="en">English</option>
              <option value="de">German</option>
              <option value="fr">French</option>
              <option value="es">Spanish</option>
            </SelectField>
          </div>
        </fieldset>
        <fieldset>
          <legend>Consent to check-ins</legend>
          <CheckField name="smsConsent" label="Agreed to check-ins by SMS" checked={f.smsConsent} onChange={set('smsConsent')} />
          <CheckField name="emailConsent" label="Agreed to check-ins by email" checked={f.emailConsent} onChange={set('emailConsent')} />
          {(byField.smsConsent || byField.emailConsent) && <p className="field-error">{byField.smsConsent ?? byField.emailConsent}</p>}
          <TextField name="consentSource" label="Where consent was given" description='e.g. "intake form v3"' value={f.consentSource} onChange={set('consentSource')} />
        </fieldset>
        <div>
          <Button type="submit" isPending={create.isPending}>
            Add patient
          </Button>
        </div>
      </Form>
    </>
  );
}
