import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../app/AppContext.ts";
import { AppError } from "../../core/errors.ts";
import { activityReport } from "../../store/activityReport.ts";
import { closesByCloser } from "../../store/closesByCloser.ts";
import { closingStore } from "../../store/closingStore.ts";
import { contactStore } from "../../store/contactStore.ts";
import { conversationQueries } from "../../store/conversations/conversationQueries.ts";
import { closedCycles, responseTimes, type TimesRow } from "../../store/responseTimes.ts";
import { iso } from "../resources/iso.ts";

export const closingResource = z
  .object({
    id: z.string(),
    conversation_id: z.string(),
    contact_id: z.string(),
    channel_id: z.string(),
    cycle: z.number(),
    category: z.object({ key: z.string(), name: z.string() }).nullable(),
    summary: z.string().nullable(),
    closed_by: z.object({ type: z.string(), id: z.string().nullable() }),
    opened_at: z.string(),
    closed_at: z.string(),
    duration_ms: z.number(),
  })
  .meta({ id: "Closing" });

const toClosingResource = (c: Awaited<ReturnType<typeof closingStore.list>>[number]) => ({
  id: c.id,
  conversation_id: c.conversationId,
  contact_id: c.contactId,
  channel_id: c.channelId,
  cycle: c.cycle,
  category: c.category,
  summary: c.summary,
  closed_by: c.closedBy,
  opened_at: iso(c.openedAt),
  closed_at: iso(c.closedAt),
  duration_ms: c.durationMs,
});

const idParams = z.object({ id: z.string().max(100) });
const rangeQuery = z.strictObject({
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  channel_id: z.string().max(100).optional(),
});

export const activityResource = z
  .object({
    from: z.string(),
    to: z.string(),
    data: z.array(z.object({ day: z.string(), opened: z.number(), closed: z.number() })),
  })
  .meta({ id: "ActivityReport" });

export const closesByCategoryResource = z
  .object({
    from: z.string(),
    to: z.string(),
    data: z.array(
      z.object({
        category: z.object({ key: z.string(), name: z.string() }).nullable(),
        count: z.number(),
        median_duration_ms: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: "ClosesByCategory" });

export const closesByCloserResource = z
  .object({
    from: z.string(),
    to: z.string(),
    data: z.array(
      z.object({
        closed_by: z.object({ type: z.string(), id: z.string().nullable() }),
        name: z.string().nullable(),
        count: z.number(),
        median_duration_ms: z.number(),
      }),
    ),
  })
  .meta({ id: "ClosesByCloser" });

const actorSchema = z.object({ type: z.string(), id: z.string().nullable() });
const timesFields = {
  closes: z.number().describe("Cycles closed in the range"),
  median_resolution_ms: z.number().nullable().describe("Open → close"),
  first_responses: z.number().describe("Closed cycles that had a business reply"),
  median_first_response_ms: z.number().nullable().describe("Open → first agent, bot or workflow reply"),
};

export const responseTimesResource = z
  .object({
    from: z.string(),
    to: z.string(),
    by_category: z.array(
      z.object({ category: z.object({ key: z.string(), name: z.string() }).nullable(), ...timesFields }),
    ),
    by_agent: z.array(
      z.object({
        actor: actorSchema.describe("agent (with the user id), bot, workflow, api or system (auto-close)"),
        name: z.string().nullable(),
        ...timesFields,
      }),
    ),
  })
  .meta({ id: "ResponseTimes" });

const CSV_COLUMNS = [
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

/** The report range: the last 30 days unless given, `from` before `to`, at most 366 days. */
function rangeOf(q: { from?: string; to?: string }, now: number): { from: number; to: number } {
  const to = q.to ? Date.parse(q.to) : now + 1;
  const from = q.from ? Date.parse(q.from) : to - 30 * 24 * 3600 * 1000;
  if (from >= to) throw AppError.validation("from", "must be before `to`");
  if (to - from > 366 * 24 * 3600 * 1000) throw AppError.validation("from", "the range is at most 366 days");
  return { from, to };
}

const listQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** Closing records (one per open/close cycle) and the closes-by-category report. */
export function reportRoutes(app: FastifyInstance, deps: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const list = { 200: z.object({ data: z.array(closingResource) }) };

  r.get(
    "/conversations/:id/closings",
    { schema: { tags: ["Conversations"], params: idParams, querystring: listQuery, response: list } },
    async (req) => {
      await conversationQueries.get(deps.store, req.auth.workspaceId, req.params.id);
      const rows = await closingStore.list(deps.store, req.auth.workspaceId, {
        conversationId: req.params.id,
        limit: req.query.limit,
      });
      return { data: rows.map(toClosingResource) };
    },
  );

  r.get(
    "/contacts/:id/closings",
    { schema: { tags: ["Contacts"], params: idParams, querystring: listQuery, response: list } },
    async (req) => {
      await contactStore.get(deps.store, req.auth.workspaceId, req.params.id);
      const rows = await closingStore.list(deps.store, req.auth.workspaceId, {
        contactId: req.params.id,
        limit: req.query.limit,
      });
      return { data: rows.map(toClosingResource) };
    },
  );

  r.get(
    "/reports/closes-by-category",
    {
      schema: {
        tags: ["Reports"],
        querystring: z.strictObject({
          from: z.iso.datetime().optional(),
          to: z.iso.datetime().optional(),
          channel_id: z.string().max(100).optional(),
        }),
        response: { 200: closesByCategoryResource },
      },
    },
    async (req) => {
      const { from, to } = rangeOf(req.query, deps.store.now());
      const rows = await closingStore.countByCategory(deps.store, req.auth.workspaceId, {
        from,
        to,
        channelId: req.query.channel_id,
      });
      return {
        from: iso(from),
        to: iso(to),
        data: rows.map((row) => ({
          category: row.key ? { key: row.key, name: row.name ?? row.key } : null,
          count: row.count,
          median_duration_ms: row.medianDurationMs,
        })),
      };
    },
  );

  r.get(
    "/reports/activity",
    {
      schema: {
        tags: ["Reports"],
        description:
          "Conversations opened (new or reopened) and closed per UTC day; the range defaults to 30 days.",
        querystring: rangeQuery,
        response: { 200: activityResource },
      },
    },
    async (req) => {
      const { from, to } = rangeOf(req.query, deps.store.now());
      const days = await activityReport(deps.store, req.auth.workspaceId, {
        from,
        to,
        channelId: req.query.channel_id,
      });
      return {
        from: iso(from),
        to: iso(to),
        data: days.map((d) => ({ day: iso(d.day).slice(0, 10), opened: d.opened, closed: d.closed })),
      };
    },
  );

  r.get(
    "/reports/response-times",
    {
      schema: {
        tags: ["Reports"],
        description:
          "Median resolution time (open → close) and first-response time (open → first agent, bot or workflow reply) " +
          "of the cycles closed in the range, by category and by agent (resolution by who closed, first response " +
          "by who replied first).",
        querystring: rangeQuery,
        response: { 200: responseTimesResource },
      },
    },
    async (req) => {
      const { from, to } = rangeOf(req.query, deps.store.now());
      const cycles = await closedCycles(deps.store, req.auth.workspaceId, {
        from,
        to,
        channelId: req.query.channel_id,
      });
      const times = responseTimes(cycles);
      const fields = (t: TimesRow) => ({
        closes: t.closes,
        median_resolution_ms: t.medianResolutionMs,
        first_responses: t.firstResponses,
        median_first_response_ms: t.medianFirstResponseMs,
      });
      return {
        from: iso(from),
        to: iso(to),
        by_category: times.byCategory.map((t) => ({ category: t.category, ...fields(t) })),
        by_agent: times.byAgent.map((t) => ({ actor: t.actor, name: t.name, ...fields(t) })),
      };
    },
  );

  r.get(
    "/reports/closings.csv",
    {
      schema: {
        tags: ["Reports"],
        description:
          "Every cycle closed in the range as CSV (UTF-8, one row per close, oldest first, at most 100,000 rows): " +
          `${CSV_COLUMNS.join(", ")}.`,
        querystring: rangeQuery,
        produces: ["text/csv"],
      },
    },
    async (req, reply) => {
      const { from, to } = rangeOf(req.query, deps.store.now());
      const cycles = await closedCycles(deps.store, req.auth.workspaceId, {
        from,
        to,
        channelId: req.query.channel_id,
      });
      const lines = [CSV_COLUMNS.join(",")];
      for (const c of cycles) {
        const actorName = (a: { type: string }, name: string | null) => name ?? a.type;
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
      }
      const day = (ms: number) => iso(ms).slice(0, 10);
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="closings-${day(from)}-to-${day(to - 1)}.csv"`)
        .send(`${lines.join("\r\n")}\r\n`);
    },
  );

  r.get(
    "/reports/closes-by-closer",
    {
      schema: {
        tags: ["Reports"],
        description: "Closes per agent (or workflow, API key, auto-close) with the median resolution time.",
        querystring: rangeQuery,
        response: { 200: closesByCloserResource },
      },
    },
    async (req) => {
      const { from, to } = rangeOf(req.query, deps.store.now());
      const rows = await closesByCloser(deps.store, req.auth.workspaceId, {
        from,
        to,
        channelId: req.query.channel_id,
      });
      return {
        from: iso(from),
        to: iso(to),
        data: rows.map((r) => ({
          closed_by: r.closedBy,
          name: r.name,
          count: r.count,
          median_duration_ms: r.medianDurationMs,
        })),
      };
    },
  );
}
