import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, setCsrfToken } from "../api/api.ts";
import type { LoginBody, Me } from "../api/apiTypes.ts";

/** Email and password sign-in, under the workspace's brand. */
export function SignInPage({ brand }: { brand: string }) {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body: LoginBody = { email: String(form.get("email")), password: String(form.get("password")) };
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>("POST", "/api/v1/auth/login", body);
      setCsrfToken(me.csrf_token);
      client.setQueryData(["me"], me);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit}>
        <h1 className="brand">{brand}</h1>
        <p className="muted">Sign in to your inbox</p>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
