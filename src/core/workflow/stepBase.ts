import { z } from "zod";
import { parseDuration } from "./parseDuration.ts";
import { WORKFLOW_LIMITS } from "./workflowLimits.ts";

export const stepIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "step ids are 1-64 letters, digits, '-' or '_'");

/** A Liquid template string, rendered against the run's data when the step runs. */
export const liquidSchema = z.string().max(WORKFLOW_LIMITS.templateChars);

const durationMessage = (s: string) =>
  /^-?P(?:[^T]*[YM])/.test(s.trim())
    ? "must be in weeks, days, hours, minutes or seconds (P30D, not P1M or P1Y): months and years vary in length"
    : "must be an ISO-8601 duration such as PT24H or P30D";

/** A duration that may be negative or zero (a date trigger's offset: `-PT24H` runs a day before). */
export const durationSchema = z.string().superRefine((s, ctx) => {
  if (parseDuration(s) === null) ctx.addIssue({ code: "custom", message: durationMessage(s) });
});

const boundedDuration = (ok: (ms: number) => boolean, message: string) =>
  z.string().superRefine((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) ctx.addIssue({ code: "custom", message: durationMessage(s) });
    else if (!ok(ms)) ctx.addIssue({ code: "custom", message });
  });

/** A timeout or an inactivity period: longer than zero. */
export const positiveDurationSchema = boundedDuration((ms) => ms > 0, "must be longer than zero");

/** A wait: zero lets other runs go first, a negative one means nothing. */
export const waitDurationSchema = boundedDuration((ms) => ms >= 0, "must not be negative");

/** What every step has: an id (unique in the workflow) and optionally where to go next instead of the next step. */
export const stepBase = {
  id: stepIdSchema,
  name: z.string().max(200).optional(),
  next: stepIdSchema.optional().describe("Step to run next; default: the following step"),
};

export const buttonSchema = z.strictObject({
  id: z.string().trim().min(1).max(256),
  title: z.string().trim().min(1).max(20),
});

/** One to three reply buttons with distinct ids: WhatsApp refuses a repeated id on every send. */
export const buttonsSchema = z
  .array(buttonSchema)
  .min(1)
  .max(3)
  .superRefine((buttons, ctx) => {
    buttons.forEach((b, i) => {
      if (buttons.findIndex((o) => o.id === b.id) < i)
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate id "${b.id}"` });
    });
  });

export const templateRefSchema = z.strictObject({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  body: z.array(liquidSchema).max(100).optional(),
});
