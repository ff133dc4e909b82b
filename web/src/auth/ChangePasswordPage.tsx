import { type FormEvent, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Form } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { useStaff } from '../ui/staff';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { sessionKey } from './session';
import { changePassword } from './session-api';

export default function ChangePasswordPage() {
  useDocumentTitle('Change your password');
  const staff = useStaff();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [newPassword, setNewPassword] = useState('');
  const [done, setDone] = useState(false);

  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) => changePassword(body.currentPassword, body.newPassword),
    onSuccess: async () => {
      setDone(true);
      await queryClient.invalidateQueries({ queryKey: sessionKey });
      if (staff.mustChangePassword) navigate('/', { replace: true });
    },
  });

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setDone(false);
    change.mutate({ currentPassword: String(form.get('currentPassword')), newPassword: String(form.get('newPassword')) });
  };

  return (
    <div className="narrow">
      <h1>Change your password</h1>
      {staff.mustChangePassword && (
        <Alert tone="info">You signed in with a temporary password. Choose your own password to continue.</Alert>
      )}
      {done && <Alert tone="success">Your password has been changed.</Alert>}
      {change.isError && (
        <Alert>
          {describeError(change.error, { 401: 'The current password is not right.' })}
        </Alert>
      )}
      <Form className="stack panel" onSubmit={onSubmit}>
        <TextField
          label={staff.mustChangePassword ? 'Temporary password' : 'Current password'}
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          isRequired
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          isRequired
          minLength={12}
          description="At least 12 characters. A few unrelated words are easy to remember and hard to guess."
          value={newPassword}
          onChange={setNewPassword}
        />
        <TextField
          label="New password again"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          isRequired
          validate={(v) => (v && v !== newPassword ? 'The two new passwords are not the same.' : null)}
        />
        <Button type="submit" isPending={change.isPending}>
          Change password
        </Button>
      </Form>
    </div>
  );
}
