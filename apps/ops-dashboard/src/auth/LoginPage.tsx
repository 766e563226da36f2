import type { PrincipalView } from '@omt/contracts';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/http';
import { opsApi } from '../api/ops-api';

export function LoginPage({
  expired,
  onLoggedIn,
}: {
  expired: boolean;
  onLoggedIn: (principal: PrincipalView) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await opsApi.login({ email: email.trim(), password }));
    } catch (caught) {
      setError(loginProblem(caught));
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login__card panel" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <header className="panel__header">
          <h1 id="login-title" className="login__title">
            omt operations
          </h1>
        </header>
        <div className="login__body">
          {expired && !error && (
            <p className="alert alert--warn" role="status">
              Your session has ended. Log in again to continue.
            </p>
          )}
          {error && (
            <p className="alert alert--down" role="alert">
              {error}
            </p>
          )}
          <label className="field">
            <span className="field__label">Email</span>
            <input
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </label>
          <label className="field">
            <span className="field__label">Password</span>
            <input
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </div>
      </form>
    </main>
  );
}

function loginProblem(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'LOGIN_FAILED') return 'Email or password is wrong.';
    if (error.code === 'RATE_LIMITED') return `Too many attempts. ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
