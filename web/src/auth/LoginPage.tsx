import { type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Form } from 'react-aria-components';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { sessionKey, useSession } from './session';
import { signIn } from './session-api';

/** Only a path inside the console: `next` comes from the address bar. */
function safeNext(next: string | null): string {
  return next && /^\/(?!\/)/.test(next) ? next : '/';
}

export default function LoginPage() {
  useDocumentTitle('Sign in');
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = useSession();
  const next = safeNext(params.get('next'));

  const login = useMutation({
    mutationFn: ({ email, password }: { email: string; password: string }) => signIn(email, password),
    onSuccess: (signedIn) => {
      queryClient.setQueryData(sessionKey, signedIn);
      navigate(signedIn.staff.mustChangePassword ? '/password' : next, { replace: true });
    },
  });

  if (session.data && !login.isPending) return <Navigate to={next} replace />;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    login.mutate({ email: String(form.get('email')).trim(), password: String(form.get('password')) });
  };

  const signedOut = (location.state as { signedOut?: boolean } | null)?.signedOut;
  return (
    <main id="main" className="sign-in">
      <div className="panel">
        <p className="sign-in-brand">Aftercare</p>
        <h1>Sign in</h1>
        {signedOut && !login.isError && <Alert tone="info">You have signed out.</Alert>}
        {login.isError && (
          <Alert>
            {describeError(login.error, {
              401: 'The email or password is not right. Check both and try again.',
              403: 'This account cannot sign in. Ask your clinic’s administrator.',
            })}
          </Alert>
        )}
        <Form className="stack" onSubmit={onSubmit}>
          <TextField label="Email" name="email" type="email" autoComplete="username" isRequired autoFocus />
          <TextField label="Password" name="password" type="password" autoComplete="current-password" isRequired />
          <Button type="submit" isPending={login.isPending}>
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
        </Form>
        <p className="muted">Forgotten your password? Your clinic’s administrator can set a temporary one.</p>
      </div>
    </main>
  );
}
