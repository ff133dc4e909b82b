import { useState, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Dialog, DialogTrigger, Form, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { api, unwrap } from '../api/client';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { useStaff, type StaffRole } from '../ui/staff';
import { TextField } from '../ui/TextField';
import { RefusalAlert, SubmitOrClose } from '../ui/FormParts';
import { fieldErrors, formatDate, fullName, patientKeys, type Patient } from './patients-api';
import '../compliance/compliance.css';

/** Who may do what, as the API's patient-rights controller allows it. */
export const RIGHTS_ROLES: Record<'export' | 'erase' | 'legalHold', StaffRole[]> = {
  export: ['admin', 'compliance'],
  erase: ['admin'],
  legalHold: ['admin'],
};

/**
 * Patients' rights on the patient page: the access export (a download of everything held),
 * erasure and legal hold, each behind a confirmation that names the patient and says what is
 * kept. Shown only to the roles the API allows; compliance staff may export and change nothing.
 */
export function PatientRights({ patient: p }: { patient: Patient }) {
  const { role } = useStaff();
  const [done, setDone] = useState<string | null>(null);
  if (!RIGHTS_ROLES.export.includes(role)) return null;
  const name = fullName(p);
  const canChange = RIGHTS_ROLES.erase.includes(role);
  return (
    <section aria-labelledby="rights-heading">
      <h2 id="rights-heading">Patient's rights</h2>
      {done && <Alert tone="success">{done}</Alert>}
      <div className="rights-actions">
        <ExportButton patient={p} />
        {canChange && !p.erasedAt && <LegalHold patient={p} name={name} onDone={setDone} />}
        {canChange && !p.erasedAt && !p.legalHoldAt && <Erase patient={p} name={name} onDone={setDone} />}
      </div>
      {canChange && p.legalHoldAt && !p.erasedAt && <p className="muted">Erasure is refused while the legal hold is in place; lift the hold first.</p>}
      {!canChange && <p className="muted">Erasure and legal holds are made by an administrator.</p>}
    </section>
  );
}

function ExportButton({ patient: p }: { patient: Patient }) {
  const download = useMutation({
    mutationFn: () => unwrap(api.GET('/v1/patients/{id}/export', { params: { path: { id: p.id } } })),
    onSuccess: (data) => {
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `patient-${p.id}-export-${data.exportedAt.slice(0, 10)}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <>
      <Button variant="secondary" onPress={() => download.mutate()} isPending={download.isPending}>
        Download everything held (JSON)
      </Button>
      {download.isError && <Alert>{describeError(download.error)}</Alert>}
    </>
  );
}

/** A confirmation dialog with a reason: the API keeps the reason in the audit event's payload. */
function ReasonDialog(props: {
  trigger: string;
  title: string;
  confirm: string;
  danger?: boolean;
  children: ReactNode;
  run: (reason: string) => Promise<unknown>;
  onDone: () => void;
}) {
  const [reason, setReason] = useState('');
  const [tooShort, setTooShort] = useState(false);
  const action = useMutation({ mutationFn: () => props.run(reason.trim()) });
  const { byField, other } = fieldErrors(action.error, ['reason']);
  // The reason is checked here and shown at the field (as the API's own 400 would be); the API checks it again.
  const errors = tooShort ? { reason: 'Say why, in at least 3 characters.' } : byField;
  const id = `dialog-${props.trigger.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <DialogTrigger onOpenChange={(open) => !open && action.reset()}>
      <Button variant={props.danger ? 'primary' : 'secondary'}>{props.trigger}</Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal modal-scroll">
          <Dialog className="modal-dialog" aria-labelledby={id}>
            {({ close }) => (
              <Form
                className="stack"
                validationBehavior="aria"
                validationErrors={errors}
                onSubmit={(e) => {
                  e.preventDefault();
                  if (reason.trim().length < 3) {
                    setTooShort(true);
                    return;
                  }
                  setTooShort(false);
                  action.mutate(undefined, {
                    onSuccess: () => {
                      close();
                      props.onDone();
                    },
                  });
                }}
              >
                <Heading slot="title" id={id}>
                  {props.title}
                </Heading>
                {props.children}
                <RefusalAlert error={action.error} byField={byField} other={other} />
                <TextField
                  name="reason"
                  label="Reason"
                  description="Kept in the audit log, e.g. the request's reference"
                  isRequired
                  value={reason}
                  onChange={(v) => {
                    setReason(v);
                    if (v.trim().length >= 3) setTooShort(false);
                  }}
                  autoFocus
                />
                <SubmitOrClose submit={props.confirm} isPending={action.isPending} close="Cancel" onClose={close} />
              </Form>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

function useRefresh(p: Patient) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: patientKeys.one(p.id) });
    void queryClient.invalidateQueries({ queryKey: patientKeys.timeline(p.id) });
  };
}

function Erase({ patient: p, name, onDone }: { patient: Patient; name: string; onDone: (message: string) => void }) {
  const refresh = useRefresh(p);
  let summary = '';
  return (
    <ReasonDialog
      trigger="Erase this patient…"
      title={`Erase ${name}?`}
      confirm={`Erase ${name}`}
      danger
      run={async (reason) => {
        const r = await unwrap(api.POST('/v1/patients/{id}/erase', { params: { path: { id: p.id } }, body: { reason } }));
        summary = `${name} was erased: the name is now ${r.pseudonym}; ${r.cancelledCheckIns} planned check-in${r.cancelledCheckIns === 1 ? '' : 's'} and ${r.cancelledMessages} message${r.cancelledMessages === 1 ? '' : 's'} will not go out.`;
      }}
      onDone={() => {
        onDone(summary);
        refresh();
      }}
    >
      <p>This cannot be undone.</p>
      <p>
        <strong>Removed:</strong>
      </p>
      <ul className="kept-list">
        <li>the name (replaced by a pseudonym), phone, email, clinic reference and birth year;</li>
        <li>the texts and addresses of the messages to and from the patient;</li>
        <li>the before/after values and reasons in the audit events about the patient record (the events stay, marked redacted);</li>
        <li>check-ins and messages not yet sent (cancelled).</li>
      </ul>
      <p>
        <strong>Kept, as the safety record:</strong>
      </p>
      <ul className="kept-list">
        <li>the sessions with product, lot and practitioner, the check-ins, and the answers as given (scores, warning signs, any comment);</li>
        <li>the flags with their assessment, outcome and history, the adverse-event log and safety signals;</li>
        <li>the audit log and its chain.</li>
      </ul>
    </ReasonDialog>
  );
}

function LegalHold({ patient: p, name, onDone }: { patient: Patient; name: string; onDone: (message: string) => void }) {
  const refresh = useRefresh(p);
  const on = !p.legalHoldAt;
  return (
    <ReasonDialog
      trigger={on ? 'Place a legal hold…' : 'Lift the legal hold…'}
      title={on ? `Place a legal hold on ${name}?` : `Lift the legal hold on ${name}?`}
      confirm={on ? 'Place the hold' : 'Lift the hold'}
      run={(reason) =>
        on
          ? unwrap(api.POST('/v1/patients/{id}/legal-hold', { params: { path: { id: p.id } }, body: { reason } }))
          : unwrap(api.DELETE('/v1/patients/{id}/legal-hold', { params: { path: { id: p.id } }, body: { reason } }))
      }
      onDone={() => {
        onDone(on ? `${name} is under a legal hold.` : `The legal hold on ${name} was lifted.`);
        refresh();
      }}
    >
      {on ? (
        <p>
          While the hold is in place the record of {name} cannot be erased, even on request. Nothing is removed or changed; care and check-ins go on as
          before.
        </p>
      ) : (
        <p>
          The hold placed on {formatDate(p.legalHoldAt!)} ends: the record of {name} may be erased on request again. Nothing is removed by lifting it.
        </p>
      )}
    </ReasonDialog>
  );
}
