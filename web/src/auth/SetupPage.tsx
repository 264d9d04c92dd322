import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api, setCsrfToken } from "../api/api.ts";
import type { Me, SetupBody } from "../api/apiTypes.ts";

/** First visit: create the owner account (and name the brand) before anyone can sign in. */
export function SetupPage({ brand }: { brand: string }) {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body: SetupBody = {
      name: String(form.get("name")),
      email: String(form.get("email")),
      password: String(form.get("password")),
      brand_name: String(form.get("brand_name") || "") || undefined,
    };
    try {
      const me = await api<Me>("POST", "/api/v1/auth/setup", body);
      setCsrfToken(me.csrf_token);
      client.setQueryData(["me"], me);
      client.setQueryData(["auth-state"], { setup_required: false, brand_name: me.workspace.brand_name });
    } catch (err) {
      setError(
        err instanceof ApiError && err.errors.length
          ? err.errors.map((f) => `${f.field} ${f.message}`).join("; ")
          : String(err instanceof Error ? err.message : err),
      );
    }
  }

  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit}>
        <h1 className="brand">Welcome to {brand}</h1>
        <p className="muted">Create the owner account. You can invite agents afterwards.</p>
        <label>
          Your name
          <input name="name" required />
        </label>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password (10+ characters)
          <input name="password" type="password" autoComplete="new-password" minLength={10} required />
        </label>
        <label>
          Brand name shown to your team
          <input name="brand_name" placeholder={brand} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          Create owner account
        </button>
      </form>
    </main>
  );
}
