import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/api.ts";
import type { Category, Workspace, WorkspacePatch } from "../api/apiTypes.ts";

/** Brand name, closing-notes policy, and the conversation categories (add, rename, describe, archive). */
export function WorkspaceSettings() {
  const client = useQueryClient();
  const ws = useQuery({ queryKey: ["workspace"], queryFn: () => api<Workspace>("GET", "/api/v1/workspace") });
  const cats = useQuery({
    queryKey: ["categories"],
    queryFn: () => api<{ data: Category[] }>("GET", "/api/v1/conversation-categories"),
  });
  const [saved, setSaved] = useState(false);
  const patch = useMutation({
    mutationFn: (body: WorkspacePatch) => api<Workspace>("PATCH", "/api/v1/workspace", body),
    onSuccess: (w) => {
      client.setQueryData(["workspace"], w);
      void client.invalidateQueries({ queryKey: ["me"] });
      setSaved(true);
    },
  });
  const category = useMutation({
    mutationFn: (a: { key?: string; body: Record<string, unknown> }) =>
      a.key
        ? api("PATCH", `/api/v1/conversation-categories/${a.key}`, a.body)
        : api("POST", "/api/v1/conversation-categories", a.body),
    onSuccess: () => client.invalidateQueries({ queryKey: ["categories"] }),
  });
  if (!ws.data) return null;
  const w = ws.data;

  const save = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setSaved(false);
    patch.mutate({
      brand_name: String(f.get("brand")),
      closing_notes: {
        category: f.get("category") === "required" ? "required" : "optional",
        summary: f.get("summary") === "required" ? "required" : "optional",
      },
    });
  };
  const add = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    category.mutate({
      body: { name: String(f.get("name")), description: String(f.get("description") || "") || null },
    });
    e.currentTarget.reset();
  };

  return (
    <>
      <section className="card">
        <h3>Workspace</h3>
        <form onSubmit={save} className="form-grid">
          <label>
            Brand name
            <input name="brand" defaultValue={w.brand_name} required />
          </label>
          <label>
            Closing category
            <select name="category" defaultValue={w.closing_notes.category}>
              <option value="optional">optional</option>
              <option value="required">required</option>
            </select>
          </label>
          <label>
            Closing summary
            <select name="summary" defaultValue={w.closing_notes.summary}>
              <option value="optional">optional</option>
              <option value="required">required</option>
            </select>
          </label>
          <button type="submit" className="primary">
            Save
          </button>
          {saved && <span className="muted">Saved</span>}
          {patch.error && <span className="error">{patch.error.message}</span>}
        </form>
      </section>
      <section className="card">
        <h3>Conversation categories</h3>
        <table>
          <tbody>
            {cats.data?.data.map((c) => (
              <tr key={c.key} className={c.archived ? "archived" : ""}>
                <td>
                  <input
                    defaultValue={c.name}
                    aria-label={`Name of ${c.key}`}
                    onBlur={(e) =>
                      e.target.value !== c.name &&
                      category.mutate({ key: c.key, body: { name: e.target.value } })
                    }
                  />
                </td>
                <td>
                  <input
                    defaultValue={c.description ?? ""}
                    aria-label={`Description of ${c.key}`}
                    onBlur={(e) =>
                      e.target.value !== (c.description ?? "") &&
                      category.mutate({ key: c.key, body: { description: e.target.value || null } })
                    }
                  />
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => category.mutate({ key: c.key, body: { archived: !c.archived } })}
                  >
                    {c.archived ? "Restore" : "Archive"}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form onSubmit={add} className="form-row">
          <input name="name" placeholder="New category" required aria-label="New category name" />
          <input name="description" placeholder="Description" aria-label="New category description" />
          <button type="submit">Add</button>
        </form>
        {category.error && <p className="error">{category.error.message}</p>}
      </section>
    </>
  );
}
