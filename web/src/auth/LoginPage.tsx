import { type FormEvent, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Form } from 'react-aria-components';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { TextField } from '../ui/TextField';
import { useDocumentTitle } from '../ui/title';
import { sessionKey, useSession } from './session';
import { type ClinicChoice, clinicsToChoose, signIn } from './session-api';

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
  // A clinic's own sign-in link (/app/login?clinic=<id>) names the clinic up front.
  const clinicFromLink = params.get('clinic') ?? undefined;
  // One email and password that open accounts at several clinics: the person picks one.
  const [choice, setChoice] = useState<{ email: string; password: string; clinics: ClinicChoice[] } | null>(null);

  const login = useMutation({
    mutationFn: ({ email, password, clinicId }: { email: string; password: string; clinicId?: string }) => signIn(email, password, clinicId),
    onSuccess: (signedIn) => {
      queryClient.setQueryData(sessionKey, signedIn);
      navigate(signedIn.staff.mustChangePassword ? '/password' : next, { replace: true });
    },
    onError: (err, { email, password }) => {
      const clinics = clinicsToChoose(err);
      if (clinics) setChoice({ email, password, clinics });
    },
  });

  if (session.data && !login.isPending) return <Navigate to={next} replace />;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    login.mutate({ email: String(form.get('email')).trim(), password: String(form.get('password')), clinicId: clinicFromLink });
  };

  const signedOut = (location.state as { signedOut?: boolean } | null)?.signedOut;
  return (
    <main id="main" className="sign-in">
      <div className="panel">
        <p className="sign-in-brand">Aftercare</p>
        <h1>Sign in</h1>
        {signedOut && !login.isError && <Alert tone="info">You have signed out.</Alert>}
        {login.isError && !clinicsToChoose(login.error) && (
          <Alert>
            {describeError(login.error, {
              401: 'The email or password is not right. Check both and try again.',
              403: 'This account cannot sign in. Ask your clinic’s administrator.',
            })}
          </Alert>
        )}
        {choice ? (
          <section className="stack" aria-labelledby="choose-clinic">
            <h2 id="choose-clinic">Choose a clinic</h2>
            <p>You have an account at more than one clinic with this email and password. Which one do you want to work in?</p>
            <ul className="stack choice-list">
              {choice.clinics.map((clinic, i) => (
                <li key={clinic.id}>
                  <Button
                    autoFocus={i === 0}
                    isPending={login.isPending && login.variables?.clinicId === clinic.id}
                    isDisabled={login.isPending}
                    onPress={() => login.mutate({ email: choice.email, password: choice.password, clinicId: clinic.id })}
                  >
                    {clinic.name}
                  </Button>
                </li>
              ))}
            </ul>
            <Button variant="secondary" isDisabled={login.isPending} onPress={() => (setChoice(null), login.reset())}>
              Use another account
            </Button>
          </section>
        ) : (
          <Form className="stack" onSubmit={onSubmit}>
            <TextField label="Email" name="email" type="email" autoComplete="username" isRequired autoFocus />
            <TextField label="Password" name="password" type="password" autoComplete="current-password" isRequired />
            <Button type="submit" isPending={login.isPending}>
              {login.isPending ? 'Signing in…' : 'Sign in'}
            </Button>
          </Form>
        )}
        <p className="muted">Forgotten your password? Your clinic’s administrator can set a temporary one.</p>
      </div>
    </main>
  );
}
