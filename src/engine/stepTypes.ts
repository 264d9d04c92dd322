import type { Assignee } from "../core/conversation/conversationSchema.ts";

/** Data a template or condition can read: contact, conversation, trigger, saved answers, step outputs, now… */
export type Scope = Record<string, unknown>;

/** An answer to ask_question, normalized over text, button and list replies. */
export interface Answer {
  id: string;
  title: string;
  text: string;
  type: string;
  message_id: string;
}

/** Why a parked step is running again. */
export type Resume = { kind: "reply"; answer: Answer } | { kind: "timeout" } | { kind: "time" };

export interface TemplateMessage {
  name: string;
  language: string;
  body?: string[];
}

/** Something a step wants done; the engine applies effects in the run's transaction. */
export type Effect =
  | {
      kind: "open";
      channel?: string;
      assign?: Assignee;
      message?: { text?: string; template?: TemplateMessage };
    }
  | {
      kind: "send";
      /** An outbound message as the conversation API takes it (validated when applied). */
      message: Record<string, unknown>;
      /** Sent instead when the 24-hour window is closed. */
      template?: TemplateMessage;
      /** Leave it unsent (and say so in the log) when the window is closed and there is no template. */
      optional?: boolean;
    }
  | { kind: "assign"; to: Assignee }
  | { kind: "close"; category?: string; summary?: string }
  | {
      kind: "update_contact";
      name?: string;
      fields?: Record<string, string | null>;
      addTags?: string[];
      removeTags?: string[];
    }
  | { kind: "comment"; text: string }
  | { kind: "start_workflow"; workflow: string; data: Record<string, string> };

/** What an executor returns: the engine, not the executor, changes the world. */
export type StepResult =
  | {
      kind: "continue";
      effects?: Effect[];
      /** Overrides the default edge (the step's `next`, else the following step); null ends the run. */
      next?: string | null;
      /** Saved under `steps.<id>`. */
      output?: unknown;
      /** Saved as a top-level variable (save_as). */
      save?: { name: string; value: unknown };
      log?: Record<string, unknown>;
    }
  | {
      kind: "park";
      effects?: Effect[];
      waitFor: "reply" | "time";
      /** When the wait ends (reply: the timeout); null waits for a reply forever. */
      until: number | null;
      log?: Record<string, unknown>;
    }
  | { kind: "fail"; error: string };

/** What an executor may read. It never touches the database. */
export interface StepContext {
  runId: string;
  workflowId: string;
  scope: Scope;
  now: number;
  resume: Resume | null;
  render(source: string): Promise<string>;
  /** The answer of an http_request made by the engine before the step's transaction. */
  http?: { ok: boolean; status: number; body: unknown; error?: string };
  /** A warning for the server's log about the run's definition; the engine adds the run and workflow ids. */
  warn?(detail: Record<string, unknown>, message: string): void;
}
