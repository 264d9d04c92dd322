import { normalizeWaId } from "../../../core/normalizeWaId.ts";
import type { Channel } from "../../../store/channelStore.ts";
import type { StoreContext, Tx } from "../../../store/storeContext.ts";
import { writeEvents } from "../../../store/writeEvents.ts";
import type { WebhookEvent } from "../webhook/webhookEvent.ts";

type AccountEvent = Extract<
  WebhookEvent,
  { kind: "user_preference" | "template_status" | "template_category" }
>;

/** Account-level webhooks: a user's marketing stop/resume, and template status or category changes. */
export async function applyAccountUpdate(
  ctx: StoreContext,
  tx: Tx,
  channel: Channel,
  e: AccountEvent,
): Promise<void> {
  const now = ctx.now();
  switch (e.kind) {
    case "user_preference": {
      if (e.category !== "marketing_messages") return;
      const phone = normalizeWaId(e.waId);
      if (!phone) return;
      const contact = await tx
        .selectFrom("contacts")
        .select(["id", "marketing_opt_out"])
        .where("workspace_id", "=", channel.workspaceId)
        .where("phone", "=", phone)
        .executeTakeFirst();
      const value = e.value === "stop" ? 1 : e.value === "resume" ? 0 : null;
      if (!contact || value === null || contact.marketing_opt_out === value) return;
      await tx
        .updateTable("contacts")
        .set({ marketing_opt_out: value, updated_at: now })
        .where("id", "=", contact.id)
        .execute();
      await writeEvents(ctx, tx, { workspaceId: channel.workspaceId, contactId: contact.id }, [
        { type: "contact.updated", contactId: contact.id, changes: ["marketing_opt_out"] },
      ]);
      return;
    }
    case "template_status": {
      // Template webhooks are per WABA: every number of that account shares the template.
      let q = tx
        .updateTable("templates")
        .set({ status: e.event.toUpperCase(), updated_at: now })
        .where("name", "=", e.templateName)
        .where(
          "channel_id",
          "in",
          tx.selectFrom("channels").select("id").where("waba_id", "=", channel.wabaId),
        );
      if (e.language) q = q.where("language", "=", e.language);
      await q.execute();
      return;
    }
    case "template_category": {
      const category = e.newCategory.toUpperCase();
      if (category !== "MARKETING" && category !== "UTILITY" && category !== "AUTHENTICATION") return;
      let q = tx
        .updateTable("templates")
        .set({ category, updated_at: now })
        .where("name", "=", e.templateName)
        .where(
          "channel_id",
          "in",
          tx.selectFrom("channels").select("id").where("waba_id", "=", channel.wabaId),
        );
      if (e.language) q = q.where("language", "=", e.language);
      await q.execute();
      return;
    }
  }
}
