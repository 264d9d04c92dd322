import type { Actor, Assignee } from "./conversationSchema.ts";

/** Every state change emits one of these; they are written to the outbox in the change's own transaction. */
export type DomainEvent =
  | { type: "conversation.opened"; conversationId: string; by: Actor; assignee: Assignee; cycle: number }
  | { type: "conversation.reopened"; conversationId: string; by: Actor; assignee: Assignee; cycle: number }
  | {
      type: "conversation.closed";
      conversationId: string;
      by: Actor;
      category: string | null;
      summary: string | null;
      cycle: number;
      openedAt: number;
      durationMs: number;
    }
  | {
      type: "conversation.assigned";
      conversationId: string;
      by: Actor;
      assignee: Assignee;
      previous: Assignee;
    }
  | {
      type: "message.created";
      conversationId: string;
      messageId: string;
      direction: string;
      messageType: string;
    }
  | {
      type: "message.status_changed";
      conversationId: string;
      messageId: string;
      status: string;
      previous: string;
      error?: { code: string | null; detail: string | null };
    }
  | {
      type: "contact.updated";
      contactId: string;
      changes: string[];
      /** With a `tags` change: the tags it gained and lost (events written before these existed have neither). */
      tagsAdded?: string[];
      tagsRemoved?: string[];
    }
  /**
   * An internal note on a conversation: for the team only, never sent to the contact. A workflow's note carries
   * the workflow's name, since its id alone means nothing to the team.
   */
  | { type: "conversation.commented"; conversationId: string; by: Actor & { name?: string }; text: string };

export type DomainEventType = DomainEvent["type"];
