// Staff sign-in. A public account that signs in is sent to the public page.

import { useState, type FormEvent } from "react";
import { ApiError, errorMessage, setToken } from "../api";
import * as api from "../endpoints";
import { Field } from "../components/Field";
import { Notice } from "../components/Status";
import { href } from "../router";
import { useSession } from "../session";

export function LoginPage({ message }: { message?: string | null }) {
  const { signIn } = useSession();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim() || !password) {
      setError("Enter your user name and password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const reply = await api.login(name.trim(), password);
      setToken(reply.token);
      signIn(reply.token, { ...reply.user, anonymous: false });
    } catch (err) {
      setError(loginError(err));
      setPassword("");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login-page">
      <form className="card login-card" onSubmit={submit} noValidate data-testid="login-form">
        <h1>Sign in to Waterline</h1>
        <p className="muted">For utility staff. Residents can check water near them without signing in.</p>
        {message && <Notice kind="warning">{message}</Notice>}
        <Field id="login-name" label="User name">
          <input
            id="login-name"
            data-testid="login-name"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
          />
        </Field>
        <Field id="login-password" label="Password">
          <input
            id="login-password"
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        {error && (
          <div className="form-error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" data-testid="login-submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="login-public">
          <a href={href.public}>Water near me: tank levels, pressure and reporting a leak →</a>
        </p>
      </form>
    </div>
  );
}

function loginError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return "Wrong user name or password, or the account is disabled.";
    if (error.status === 429) {
      const wait = error.retryAfter ? ` Wait ${error.retryAfter} s and try again.` : " Wait a minute and try again.";
      return `Too many sign-in attempts.${wait}`;
    }
  }
  return errorMessage(error);
}
