import { FormEvent, useState } from 'react';
import { api, ApiError, session } from '../api/client';
import { BrandMark } from '../components/BrandMark';
import { useDocumentTitle } from '../hooks/useDocumentTitle';

/** Sign in with the admin token: checked against the API before it is kept in this browser. */
export function LoginPage() {
  useDocumentTitle('Sign in');
  const [token, setToken] = useState('');
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notice = session.endedBecause;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) {
      setError('Paste the admin token first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api('GET', '/api/sources', { token: candidate });
      session.signIn(candidate);
    } catch (failure) {
      const refused = failure instanceof ApiError && failure.status === 401;
      setError(refused ? 'This is not the admin token of this Hookflow. Check the file named below.' : (failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login__card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand brand--large">
          <BrandMark />
          Hookflow
        </div>
        <h1 id="login-title">Sign in to the console</h1>
        {notice && !error && (
          <p className="callout callout--warning" role="alert">
            {notice}
          </p>
        )}
        <label className="field">
          <span>Admin token</span>
          <span className="field__row">
            <input
              type={shown ? 'text' : 'password'}
              name="token"
              autoComplete="current-password"
              spellCheck={false}
              value={token}
              onChange={(event) => setToken(event.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby="token-help"
              autoFocus
            />
            <button type="button" className="button" onClick={() => setShown(!shown)} aria-pressed={shown}>
              {shown ? 'Hide' : 'Show'}
            </button>
          </span>
        </label>
        {error && (
          <p className="field__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <div id="token-help" className="login__help">
          <p>
            <strong>Where is the token?</strong> Hookflow printed where it keeps it when it started (<code>Admin token:</code> in the banner). Unless{' '}
            <code>HOOKFLOW_ADMIN_TOKEN</code> is set, it was generated into the data folder:
          </p>
          <pre>cat &lt;data dir&gt;/admin-token{'\n'}# by default: cat .hookflow/admin-token</pre>
          <p className="muted">The token stays in this browser (local storage) until you sign out.</p>
        </div>
      </form>
    </main>
  );
}
