import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ActionDialog, Choice, Field } from '../flags/ActionDialog';
import '../flags/flags.css';
import '../patients/patients.css';
import { Alert } from '../ui/Alert';
import { describeError } from '../ui/errors';
import { Loading } from '../ui/Loading';
import { useStaff } from '../ui/staff';
import { useDocumentTitle } from '../ui/title';
import { DataTable } from '../ui/DataTable';
import { AdminOnly } from './AdminOnly';
import { adminKeys, formatDateTime, ROLE_NAMES, ROLE_OPTIONS, type Staff, type StaffRole, withConflictWords } from './admin-api';
import { CopyValue } from './CopyValue';
import { temporaryPassword } from './password';
import './admin.css';

const LAST_ADMIN = 'is the clinic’s last active administrator. Make someone else an administrator first, then try again.';

/** Staff of the clinic: invite, change role, deactivate or reactivate, reset a password. */
export default function StaffPage() {
  return (
    <AdminOnly>
      <StaffAdmin />
    </AdminOnly>
  );
}

interface Secret {
  name: string;
  password: string;
  invited: boolean;
}

function StaffAdmin() {
  useDocumentTitle('Staff');
  const me = useStaff();
  const queryClient = useQueryClient();
  const staff = useQuery({ queryKey: adminKeys.staff, queryFn: ({ signal }) => unwrap(api.GET('/v1/staff', { signal })) });
  const [secret, setSecret] = useState<Secret | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: adminKeys.staff });

  const update = useMutation({
    mutationFn: ({ s, body }: { s: Staff; body: { role?: StaffRole; active?: boolean; temporaryPassword?: string } }) =>
      withConflictWords(unwrap(api.PATCH('/v1/staff/{id}', { params: { path: { id: s.id } }, body })), `${s.name} ${LAST_ADMIN}`),
    onSettled: refresh,
  });

  const invite = async (form: FormData) => {
    const password = temporaryPassword();
    const name = String(form.get('name') ?? '').trim();
    const phone = String(form.get('phone') ?? '').trim();
    await unwrap(
      api.POST('/v1/staff', {
        body: {
          name,
          email: String(form.get('email') ?? '').trim(),
          role: String(form.get('role')) as StaffRole,
          password,
          mustChangePassword: true,
          ...(phone ? { phone } : {}),
        },
      }),
    );
    setNotice(null);
    setSecret({ name, password, invited: true });
    await refresh();
  };

  return (
    <>
      <h1>Staff</h1>
      <div className="page-actions">
        <ActionDialog label="Invite a staff member" title="Invite a staff member" submitLabel="Invite" variant="primary" submit={invite}>
          <p className="muted">They get a temporary password, shown to you once, which they must change when they first sign in.</p>
          <Field name="name" label="Name" required />
          <Field name="email" label="Email" type="email" required />
          <Choice name="role" label="Role" options={ROLE_OPTIONS} />
          <Field name="phone" label="Mobile phone for urgent alerts (optional)" type="tel" description="In international format, e.g. +447700900123." />
        </ActionDialog>
      </div>
      {secret && (
        <section className="panel" aria-labelledby="secret-heading">
          <h2 id="secret-heading" style={{ marginTop: 0 }}>
            {secret.invited ? `${secret.name} is invited` : `${secret.name}’s password is reset`}
          </h2>
          <p>Give them this temporary password in person or by phone. It is shown only now; they must change it when they sign in.</p>
          <CopyValue label="Temporary password" value={secret.password} />
        </section>
      )}
      {notice && <Alert tone="success">{notice}</Alert>}
      {update.isError && <Alert>{describeError(update.error)}</Alert>}
      {staff.isPending ? (
        <Loading label="Loading the staff…" />
      ) : staff.isError ? (
        <Alert>{describeError(staff.error)}</Alert>
      ) : (
        <DataTable className="data stack-table" captionClassName="muted" captionStyle={{ textAlign: 'left' }} caption={<>{staff.data.items.length} staff members</>} columns={['Name', 'Role', 'Status', 'Last sign-in', 'Actions']}>
          {staff.data.items.map((s) => (
            <tr key={s.id}>
              <th scope="row">
                {s.name}
                {s.id === me.id && ' (you)'}
                <span className="muted" style={{ display: 'block', fontWeight: 400 }}>
                  {s.email}
                </span>
              </th>
              <td data-label="Role">{ROLE_NAMES[s.role]}</td>
              <td data-label="Status">
                {s.active ? 'Active' : <span className="status-inactive">Deactivated</span>}
                {s.active && s.mustChangePassword && <span style={{ display: 'block' }}>Must change password</span>}
              </td>
              <td data-label="Last sign-in">{s.lastSignInAt ? formatDateTime(s.lastSignInAt as unknown as string) : 'Never'}</td>
              <td>
                <StaffActions
                  s={s}
                  isMe={s.id === me.id}
                  change={async (body, done) => {
                    setSecret(null);
                    setNotice(null);
                    await update.mutateAsync({ s, body }).catch((err) => {
                      update.reset();
                      throw err;
                    });
                    setNotice(done);
                  }}
                  reset={async () => {
                    const password = temporaryPassword();
                    await update.mutateAsync({ s, body: { temporaryPassword: password } }).catch((err) => {
                      update.reset();
                      throw err;
                    });
                    setNotice(null);
                    setSecret({ name: s.name, password, invited: false });
                  }}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

function StaffActions({
  s,
  isMe,
  change,
  reset,
}: {
  s: Staff;
  isMe: boolean;
  change: (body: { role?: StaffRole; active?: boolean }, done: string) => Promise<void>;
  reset: () => Promise<void>;
}) {
  const who = `${s.name} (${s.email})`;
  return (
    <div className="admin-actions">
      <ActionDialog
        label={`Change role of ${s.name}`}
        title={`Change the role of ${who}`}
        submitLabel="Change role"
        variant="quiet"
        submit={(form) => change({ role: String(form.get('role')) as StaffRole }, `${s.name}’s role is now ${ROLE_NAMES[String(form.get('role')) as StaffRole] ?? String(form.get('role'))}; they sign in again to use it.`)}
      >
        <p>Now: {ROLE_NAMES[s.role]}. A change signs them out everywhere; they sign in again with the new role.</p>
        <Choice name="role" label="New role" options={ROLE_OPTIONS.filter((o) => o.id !== s.role)} />
      </ActionDialog>
      {s.active ? (
        <ActionDialog
          label={`Deactivate ${s.name}`}
          title={`Deactivate ${who}?`}
          submitLabel="Deactivate"
          variant="quiet"
          submit={() => change({ active: false }, `${s.name} is deactivated and signed out everywhere.`)}
        >
          <p>
            {isMe ? 'You will be signed out at once. ' : ''}
            They are signed out everywhere at once and can no longer sign in or use their tokens. Everything they recorded stays. You can reactivate them later.
          </p>
        </ActionDialog>
      ) : (
        <ActionDialog
          label={`Reactivate ${s.name}`}
          title={`Reactivate ${who}?`}
          submitLabel="Reactivate"
          variant="quiet"
          submit={() => change({ active: true }, `${s.name} is active again and can sign in with their password.`)}
        >
          <p>They can sign in again with their password. Reset it too if they no longer know it.</p>
        </ActionDialog>
      )}
      <ActionDialog label={`Reset password of ${s.name}`} title={`Reset the password of ${who}?`} submitLabel="Reset password" variant="quiet" submit={() => reset()}>
        <p>They are signed out everywhere and get a temporary password, shown to you once, which they must change when they next sign in.</p>
      </ActionDialog>
    </div>
  );
}
