import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/api.ts";
import type { Category, Conversation, Workspace } from "../api/apiTypes.ts";

/**
 * Close with a category and a summary. The workspace's closing-notes policy marks what is required and is
 * checked here for a quick answer; the server enforces it regardless.
 */
export function CloseDialog(props: {
  conversation: Conversation;
  categories: Category[];
  onClose: () => void;
  onClosed: () => void;
}) {
  const workspace = useQuery({
    queryKey: ["workspace"],
    queryFn: () => api<Workspace>("GET", "/api/v1/workspace"),
  });
  const [category, setCategory] = useState("");
  const [summary, setSummary] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const policy = workspace.data?.closing_notes ?? { category: "optional", summary: "optional" };
  const close = useMutation({
    mutationFn: () =>
      api<Conversation>("POST", `/api/v1/conversations/${props.conversation.id}/close`, {
        category: category || null,
        summary: summary.trim() || null,
      }),
    onSuccess: props.onClosed,
    onError: (err) => setProblem(err.message),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (policy.category === "required" && !category)
      return setProblem("Pick a category: this workspace requires one");
    if (policy.summary === "required" && !summary.trim())
      return setProblem("Write a summary: this workspace requires one");
    close.mutate();
  };
  return (
    <div className="dialog-backdrop">
      <form className="dialog" onSubmit={submit} aria-label="Close conversation" data-testid="close-dialog">
        <h3>Close conversation</h3>
        <label>
          Category {policy.category === "required" ? "(required)" : "(optional)"}
          <select value={category} onChange={(e) => setCategory(e.target.value)} aria-label="Category">
            <option value="">—</option>
            {props.categories
              .filter((c) => !c.archived)
              .map((c) => (
                <option key={c.key} value={c.key} title={c.description ?? ""}>
                  {c.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Summary {policy.summary === "required" ? "(required)" : "(optional)"}
          <textarea
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
            maxLength={2000}
            rows={4}
            aria-label="Summary"
          />
        </label>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={close.isPending}>
            Close conversation
          </button>
        </div>
      </form>
    </div>
  );
}
