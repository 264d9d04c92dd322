import { useQuery } from "@tanstack/react-query";
import { api } from "../api/api.ts";
import type { Contact } from "../api/apiTypes.ts";

/** A run's contact by name (or phone); shares the inbox's ["contact", id] cache. */
export function ContactName({ id }: { id: string | null }) {
  const contact = useQuery({
    queryKey: ["contact", id],
    queryFn: () => api<Contact>("GET", `/api/v1/contacts/${id}`),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
  if (!id) return <span className="muted">—</span>;
  const c = contact.data;
  return <span title={c?.phone}>{c ? (c.name ?? c.phone) : "…"}</span>;
}
