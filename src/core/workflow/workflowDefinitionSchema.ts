import { z } from "zod";
import { addCommentStepSchema } from "./steps/addCommentStep.ts";
import { askQuestionStepSchema } from "./steps/askQuestionStep.ts";
import { assignStepSchema } from "./steps/assignStep.ts";
import { branchStepSchema } from "./steps/branchStep.ts";
import { closeConversationStepSchema } from "./steps/closeConversationStep.ts";
import { httpRequestStepSchema } from "./steps/httpRequestStep.ts";
import { jumpToStepSchema } from "./steps/jumpToStep.ts";
import { openConversationStepSchema } from "./steps/openConversationStep.ts";
import { sendMessageStepSchema } from "./steps/sendMessageStep.ts";
import { triggerWorkflowStepSchema } from "./steps/triggerWorkflowStep.ts";
import { updateContactStepSchema } from "./steps/updateContactStep.ts";
import { waitStepSchema } from "./steps/waitStep.ts";
import { triggerSchema } from "./triggerSchema.ts";
import { WORKFLOW_LIMITS } from "./workflowLimits.ts";

export const stepSchema = z.discriminatedUnion("type", [
  openConversationStepSchema,
  sendMessageStepSchema,
  askQuestionStepSchema,
  waitStepSchema,
  branchStepSchema,
  assignStepSchema,
  updateContactStepSchema,
  addCommentStepSchema,
  httpRequestStepSchema,
  triggerWorkflowStepSchema,
  jumpToStepSchema,
  closeConversationStepSchema,
]);
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step["type"];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;

/**
 * A workflow as users write it (JSON through the API, YAML through the CLI): one trigger, then steps that run in
 * order unless `next`, branches or `jump_to` say otherwise.
 */
export const workflowDefinitionSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().optional(),
    once_per_contact: z.boolean().default(false),
    frequency_cap: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .nullable()
      .optional()
      .describe(
        "Business-initiated opens per contact per rolling 24 h; null = no cap; default: workspace setting",
      ),
    trigger: triggerSchema,
    steps: z.array(stepSchema).min(1).max(WORKFLOW_LIMITS.steps),
    layout: z
      .record(
        z.string().max(100),
        z.strictObject({ x: z.number().min(-1e6).max(1e6), y: z.number().min(-1e6).max(1e6) }),
      )
      .optional()
      .describe(
        "Where the web app's canvas draws each node, by step id (and `trigger`); the engine ignores it. Nodes without a position are laid out automatically.",
      ),
  })
  .meta({ id: "WorkflowDefinition" });
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;
