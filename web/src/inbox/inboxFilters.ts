export interface InboxFilters {
  status: "open" | "closed" | "all";
  assignee: string;
  channel: string;
  category: string;
  q: string;
}

/** Filters live in the URL, so a reload or a shared link shows the same list. */
export function readFilters(search: URLSearchParams): InboxFilters {
  const status = search.get("status");
  return {
    status: status === "closed" || status === "all" ? status : "open",
    assignee: search.get("assignee") ?? "",
    channel: search.get("channel") ?? "",
    category: search.get("category") ?? "",
    q: search.get("q") ?? "",
  };
}

export function writeFilters(f: InboxFilters): string {
  const s = new URLSearchParams();
  if (f.status !== "open") s.set("status", f.status);
  for (const k of ["assignee", "channel", "category", "q"] as const) if (f[k]) s.set(k, f[k]);
  const out = s.toString();
  return out ? `?${out}` : "";
}
