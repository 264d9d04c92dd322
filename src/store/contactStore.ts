import type { ContactInput, ContactPatch } from "../core/contact/contactSchema.ts";
import { decodeCursor, encodeCursor } from "../core/cursor.ts";
import { AppError } from "../core/errors.ts";
import { newId } from "../core/newId.ts";
import { normalizePhone } from "../core/normalizePhone.ts";
import type { ContactRow } from "./databaseSchema.ts";
import { insertRow } from "./insertRow.ts";
import { inTransaction } from "./inTransaction.ts";
import { preparedSqlite } from "./preparedSqlite.ts";
import type { Db, StoreContext, Tx } from "./storeContext.ts";
import { writeEvents } from "./writeEvents.ts";

export interface Contact {
  id: string;
  workspaceId: string;
  phone: string;
  waId: string | null;
  name: string | null;
  fields: Record<string, unknown>;
  tags: string[];
  optedOut: boolean;
  marketingOptOut: boolean;
  timezone: string | null;
  lastInboundAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export const toContact = (r: ContactRow): Contact => ({
  id: r.id,
  workspaceId: r.workspace_id,
  phone: r.phone,
  waId: r.wa_id,
  name: r.name,
  fields: JSON.parse(r.fields),
  tags: JSON.parse(r.tags),
  optedOut: r.opted_out === 1,
  marketingOptOut: r.marketing_opt_out === 1,
  timezone: r.timezone,
  lastInboundAt: r.last_inbound_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function mergeFields(current: Record<string, unknown>, patch: Record<string, unknown> | undefined) {
  if (!patch) return current;
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

async function setTags(tx: Tx, workspaceId: string, contactId: string, tags: string[]): Promise<void> {
  await tx.deleteFrom("contact_tags").where("contact_id", "=", contactId).execute();
  if (tags.length > 0) {
    await tx
      .insertInto("contact_tags")
      .values(tags.map((tag) => ({ workspace_id: workspaceId, contact_id: contactId, tag })))
      .execute();
  }
}

export interface ContactQuery {
  phone?: string;
  q?: string;
  tag?: string;
  limit: number;
  cursor?: string;
}

/** Contacts: upserted by phone (E.164), with custom fields, tags, opt-out flags and a time zone. */
export const contactStore = {
  /** Creates the contact or updates it; fields left out keep their values, `fields` merges key by key. */
  async upsert(
    ctx: StoreContext,
    workspaceId: string,
    input: ContactInput,
  ): Promise<{ contact: Contact; created: boolean }> {
    return inTransaction(ctx, (tx) => this.upsertIn(ctx, tx, workspaceId, input));
  },

  /**
   * `upsert` inside the caller's transaction. `known` is the phone's row as this transaction has just read it
   * (`rowsByPhone`), null when it found none; left out, it is read here.
   */
  async upsertIn(
    ctx: StoreContext,
    tx: Tx,
    workspaceId: string,
    input: ContactInput,
    known?: ContactRow | null,
  ): Promise<{ contact: Contact; created: boolean }> {
    const phone = normalizePhone(input.phone);
    const existing =
      known !== undefined ? known : (await this.rowsByPhone(tx, workspaceId, [phone])).get(phone);
    if (existing) {
      const contact = await applyPatch(ctx, tx, toContact(existing), input);
      return { contact, created: false };
    }
    const now = ctx.now();
    const tags = [...new Set(input.tags ?? [])];
    const row: ContactRow = {
      id: newId(),
      workspace_id: workspaceId,
      phone,
      wa_id: phone.slice(1),
      name: input.name ?? null,
      fields: JSON.stringify(mergeFields({}, input.fields)),
      tags: JSON.stringify(tags),
      opted_out: input.opted_out ? 1 : 0,
      marketing_opt_out: 0,
      timezone: input.timezone ?? null,
      last_inbound_at: null,
      created_at: now,
      updated_at: now,
    };
    // Two concurrent upserts of one phone: the loser's insert is a no-op and it reads the winner's row.
    if (!(await insertRow(ctx, tx, "contacts", row, { ignoreConflicts: true }))) {
      const winner = await tx
        .selectFrom("contacts")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("phone", "=", phone)
        .executeTakeFirstOrThrow();
      return { contact: await applyPatch(ctx, tx, toContact(winner), input), created: false };
    }
    if (tags.length > 0) await setTags(tx, workspaceId, row.id, tags);
    return { contact: toContact(row), created: true };
  },

  /** A workspace's contacts with these phones (E.164) in one read, by phone. */
  async rowsByPhone(tx: Db, workspaceId: string, phones: string[]): Promise<Map<string, ContactRow>> {
    const rows =
      phones.length === 0
        ? []
        : await tx
            .selectFrom("contacts")
            .selectAll()
            .where("workspace_id", "=", workspaceId)
            .where("phone", "in", phones)
            .execute();
    return new Map(rows.map((r) => [r.phone, r]));
  },

  async patch(ctx: StoreContext, workspaceId: string, id: string, patch: ContactPatch): Promise<Contact> {
    return inTransaction(ctx, async (tx) => {
      const current = await this.get(ctx, workspaceId, id, tx);
      if (patch.phone !== undefined) {
        const phone = normalizePhone(patch.phone);
        if (phone !== current.phone) {
          const clash = await tx
            .selectFrom("contacts")
            .select("id")
            .where("workspace_id", "=", workspaceId)
            .where("phone", "=", phone)
            .executeTakeFirst();
          if (clash)
            throw new AppError("conflict", `Another contact already has phone ${phone}`, [
              { field: "phone", message: "already used" },
            ]);
          await tx
            .updateTable("contacts")
            .set({ phone, wa_id: phone.slice(1) })
            .where("id", "=", id)
            .execute();
          current.phone = phone;
          current.waId = phone.slice(1);
        }
      }
      return applyPatch(ctx, tx, current, patch);
    });
  },

  /** The raw row, in the caller's transaction; `lock` takes it `for update` on PostgreSQL. */
  async rowIn(ctx: StoreContext, tx: Db, id: string, lock = false): Promise<ContactRow | undefined> {
    // Every workflow step that reads its contact comes here: on SQLite, inside a transaction, no SQL to build.
    const stmt = tx.isTransaction ? preparedSqlite(ctx, "select * from contacts where id = ?") : null;
    if (stmt) return stmt.get(id) as ContactRow | undefined;
    const q = tx.selectFrom("contacts").selectAll().where("id", "=", id);
    return (lock && ctx.dialect === "postgres" ? q.forUpdate() : q).executeTakeFirst();
  },

  async get(ctx: StoreContext, workspaceId: string, id: string, db: Db = ctx.db): Promise<Contact> {
    const row = await db
      .selectFrom("contacts")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw AppError.notFound("Contact", id);
    return toContact(row);
  },

  async findByPhone(
    ctx: StoreContext,
    workspaceId: string,
    phone: string,
    db: Db = ctx.db,
  ): Promise<Contact | null> {
    const row = await db
      .selectFrom("contacts")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("phone", "=", phone)
      .executeTakeFirst();
    return row ? toContact(row) : null;
  },

  async list(
    ctx: StoreContext,
    workspaceId: string,
    query: ContactQuery,
  ): Promise<{ data: Contact[]; nextCursor: string | null }> {
    let q = ctx.db
      .selectFrom("contacts")
      .selectAll("contacts")
      .where("contacts.workspace_id", "=", workspaceId);
    if (query.phone) q = q.where("contacts.phone", "=", normalizePhone(query.phone));
    if (query.q) {
      const like = `%${query.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([eb(eb.fn("lower", ["contacts.name"]), "like", like), eb("contacts.phone", "like", like)]),
      );
    }
    if (query.tag) {
      const tag = query.tag;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom("contact_tags")
            .select("contact_tags.tag")
            .whereRef("contact_tags.contact_id", "=", "contacts.id")
            .where("contact_tags.tag", "=", tag),
        ),
      );
    }
    if (query.cursor) {
      const [after] = decodeCursor(query.cursor, ["string"]);
      q = q.where("contacts.id", ">", String(after));
    }
    const rows = await q
      .orderBy("contacts.id")
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit).map(toContact);
    const last = page.at(-1);
    return { data: page, nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null };
  },
};

async function applyPatch(
  ctx: StoreContext,
  tx: Tx,
  current: Contact,
  patch: ContactPatch,
): Promise<Contact> {
  const changes: string[] = [];
  let tagDiff: { tagsAdded: string[]; tagsRemoved: string[] } | undefined;
  const next: Contact = { ...current };
  if (patch.name !== undefined && patch.name !== current.name) {
    next.name = patch.name;
    changes.push("name");
  }
  if (patch.fields) {
    next.fields = mergeFields(current.fields, patch.fields);
    for (const k of Object.keys(patch.fields)) {
      if (JSON.stringify(current.fields[k]) !== JSON.stringify(next.fields[k])) changes.push(`fields.${k}`);
    }
  }
  if (patch.tags) {
    const tags = [...new Set(patch.tags)];
    if (JSON.stringify(tags) !== JSON.stringify(current.tags)) {
      next.tags = tags;
      changes.push("tags");
      tagDiff = {
        tagsAdded: tags.filter((t) => !current.tags.includes(t)),
        tagsRemoved: current.tags.filter((t) => !tags.includes(t)),
      };
      await setTags(tx, current.workspaceId, current.id, tags);
    }
  }
  if (patch.timezone !== undefined && patch.timezone !== current.timezone) {
    next.timezone = patch.timezone;
    changes.push("timezone");
  }
  if (patch.opted_out !== undefined && patch.opted_out !== current.optedOut) {
    next.optedOut = patch.opted_out;
    changes.push("opted_out");
  }
  if (patch.marketing_opt_out !== undefined && patch.marketing_opt_out !== current.marketingOptOut) {
    next.marketingOptOut = patch.marketing_opt_out;
    changes.push("marketing_opt_out");
  }
  if (changes.length === 0) return next;
  next.updatedAt = ctx.now();
  await tx
    .updateTable("contacts")
    .set({
      name: next.name,
      fields: JSON.stringify(next.fields),
      tags: JSON.stringify(next.tags),
      timezone: next.timezone,
      opted_out: next.optedOut ? 1 : 0,
      marketing_opt_out: next.marketingOptOut ? 1 : 0,
      updated_at: next.updatedAt,
    })
    .where("id", "=", current.id)
    .execute();
  await writeEvents(ctx, tx, { workspaceId: current.workspaceId, contactId: current.id }, [
    { type: "contact.updated", contactId: current.id, changes, ...tagDiff },
  ]);
  return next;
}
