import { safeRegex } from "../core/workflow/safeRegex.ts";
import type { Trigger } from "../core/workflow/triggerSchema.ts";

/** A domain event as the dispatcher sees it, with what the trigger filters need already looked up. */
export interface TriggerEvent {
  type: string;
  payload: Record<string, unknown>;
  /** inbound_message: the message's text (or tapped button title). */
  text?: string;
  /** inbound_message: this message opened (or reopened) the conversation. */
  opensConversation?: boolean;
  /** contact_updated, for an event written before `tagsAdded` existed: the contact's tags now. */
  tags?: string[];
  channel?: { id: string; name: string };
}

const lower = (s: unknown) => (typeof s === "string" ? s.trim().toLowerCase() : "");

/** Where a stored pattern that no longer compiles is reported (it matches nothing). */
export type OnInvalidRegex = (field: string, error: string) => void;

/** Whether a workflow's trigger fires for an event. Pure, so every trigger filter is testable on its own. */
export function matchTrigger(trigger: Trigger, e: TriggerEvent, onInvalidRegex?: OnInvalidRegex): boolean {
  switch (trigger.type) {
    case "conversation_opened":
      return (
        (e.type === "conversation.opened" || e.type === "conversation.reopened") &&
        (!trigger.channel || trigger.channel === e.channel?.id || trigger.channel === e.channel?.name)
      );
    case "conversation_closed": {
      if (e.type !== "conversation.closed") return false;
      if (!trigger.categories?.length) return true;
      const key = lower(e.payload.category);
      const name = lower(e.payload.categoryName);
      return trigger.categories.some((c) => lower(c) === key || (name !== "" && lower(c) === name));
    }
    case "inbound_message": {
      if (e.type !== "message.created" || e.payload.direction !== "inbound") return false;
      if (trigger.when === "no_open_conversation" && !e.opensConversation) return false;
      if (!trigger.keywords?.length) return true;
      const text = e.text ?? "";
      return trigger.keywords.some((k, i) => {
        if (k.match === "exact") return lower(text) === lower(k.value);
        if (k.match === "contains") return lower(text).includes(lower(k.value));
        return safeRegex.test(k.value, text, (error) =>
          onInvalidRegex?.(`trigger.keywords[${i}].value`, error),
        );
      });
    }
    case "contact_updated": {
      if (e.type !== "contact.updated") return false;
      const changes = Array.isArray(e.payload.changes) ? e.payload.changes.map(String) : [];
      if (!trigger.fields?.length && !trigger.tags?.length) return changes.length > 0;
      const fieldHit =
        trigger.fields?.some((f) => changes.includes(`fields.${f}`) || changes.includes(f)) ?? false;
      // Only gaining a listed tag fires: a contact that keeps one through some other tag change hasn't gained it.
      const added = e.payload.tagsAdded;
      const tagHit = Array.isArray(added)
        ? (trigger.tags?.some((t) => added.includes(t)) ?? false)
        : // Older events say only that the tags changed; the contact's tags now are the best guess left.
          changes.includes("tags") && (trigger.tags?.some((t) => e.tags?.includes(t)) ?? false);
      return fieldHit || tagHit;
    }
    case "webhook":
    case "schedule":
    case "date_field":
    case "manual":
      return false;
    default: {
      const never: never = trigger;
      return never;
    }
  }
}
