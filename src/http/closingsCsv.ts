import type { ClosedCycle } from "../store/responseTimes.ts";
import { iso } from "./resources/iso.ts";

export const CSV_COLUMNS = [
  "closed_at",
  "opened_at",
  "conversation_id",
  "channel_id",
  "contact_phone",
  "contact_name",
  "category_key",
  "category",
  "summary",
  "closed_by_type",
  "closed_by",
  "resolution_minutes",
  "first_response_minutes",
  "first_response_by",
] as const;

/** One CSV cell: quoted when needed; free text that a spreadsheet would run as a formula is defused. */
function csvCell(value: string | number | null, freeText = false): string {
  if (value === null) return "";
  let s = String(value);
  if (freeText && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const minutes = (ms: number) => (ms / 60_000).toFixed(1);

/** The closings export: a header and one row per closed cycle, CRLF line ends (RFC 4180). */
export function closingsCsv(cycles: ClosedCycle[]): string {
  const actorName = (a: { type: string }, name: string | null) => name ?? a.type;
  const lines = [CSV_COLUMNS.join(",")];
  for (const c of cycles)
    lines.push(
      [
        csvCell(iso(c.closedAt)),
        csvCell(iso(c.openedAt)),
        csvCell(c.conversationId),
        csvCell(c.channelId),
        csvCell(c.contactPhone),
        csvCell(c.contactName, true),
        csvCell(c.category?.key ?? null),
        csvCell(c.category?.name ?? null, true),
        csvCell(c.summary, true),
        csvCell(c.closedBy.type),
        csvCell(actorName(c.closedBy, c.closedByName), true),
        csvCell(minutes(c.resolutionMs)),
        csvCell(c.firstReply ? minutes(c.firstReply.at - c.waitingSince) : null),
        csvCell(c.firstReply ? actorName(c.firstReply.author, c.firstReply.authorName) : null, true),
      ].join(","),
    );
  return `${lines.join("\r\n")}\r\n`;
}
