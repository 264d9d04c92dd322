/**
 * Response and request shapes, inferred from the server's zod schemas (type-only imports: nothing of the
 * server reaches the bundle). Changing a schema on the server changes these types, and `npm run lint` fails
 * where the app no longer fits.
 */
import type { z } from "zod";
import type { phoneMessageResource } from "../../../src/app/mountSandbox.ts";
import type { outboundMessageSchema } from "../../../src/channels/whatsapp/graph/outboundMessageSchema.ts";
import type { WorkflowDefinitionInput } from "../../../src/core/workflow/workflowDefinitionSchema.ts";
import type { WorkspacePatch } from "../../../src/core/workspace/workspaceSchema.ts";
import type { manualRunInputSchema } from "../../../src/engine/startBatch.ts";
import type { channelResource } from "../../../src/http/resources/channelResource.ts";
import type { contactResource } from "../../../src/http/resources/contactResource.ts";
import type { conversationResource } from "../../../src/http/resources/conversationResource.ts";
import type { meResource } from "../../../src/http/resources/meResource.ts";
import type { messageResource } from "../../../src/http/resources/messageResource.ts";
import type { userResource } from "../../../src/http/resources/userResource.ts";
import type {
  batchResource,
  runCountsResource,
  runResource,
  runStepResource,
  workflowListItemResource,
  workflowResource,
} from "../../../src/http/resources/workflowResource.ts";
import type { apiKeyResource, newApiKeyResource } from "../../../src/http/routes/apiKeyRoutes.ts";
import type { authStateResource, LoginBody, SetupBody } from "../../../src/http/routes/authRoutes.ts";
import type { channelInputSchema } from "../../../src/http/routes/channelRoutes.ts";
import type { timelineEntry } from "../../../src/http/routes/contactRoutes.ts";
import type { closingResource } from "../../../src/http/routes/reportRoutes.ts";
import type { templateResource } from "../../../src/http/routes/templateRoutes.ts";
import type { newUserBody, PasswordChange, sessionResource } from "../../../src/http/routes/userRoutes.ts";
import type { categoryResource, workspaceResource } from "../../../src/http/routes/workspaceRoutes.ts";

export type Conversation = z.infer<typeof conversationResource>;
export type Message = z.infer<typeof messageResource>;
export type Contact = z.infer<typeof contactResource>;
export type Channel = z.infer<typeof channelResource>;
export type ChannelInput = z.input<typeof channelInputSchema>;
export type Me = z.infer<typeof meResource>;
export type User = z.infer<typeof userResource>;
export type NewUser = z.input<typeof newUserBody>;
export type NewApiKey = z.infer<typeof newApiKeyResource>;
export type ApiKey = z.infer<typeof apiKeyResource>;
export type AuthState = z.infer<typeof authStateResource>;
export type SessionInfo = z.infer<typeof sessionResource>;
export type PhoneMessage = z.infer<typeof phoneMessageResource>;
export type Category = z.infer<typeof categoryResource>;
export type Workspace = z.infer<typeof workspaceResource>;
export type Template = z.infer<typeof templateResource>;
export type TimelineEntry = z.infer<typeof timelineEntry>;
export type Closing = z.infer<typeof closingResource>;
export type OutboundMessage = z.input<typeof outboundMessageSchema>;
export type Workflow = z.infer<typeof workflowResource>;
export type WorkflowListItem = z.infer<typeof workflowListItemResource>;
export type RunCounts = z.infer<typeof runCountsResource>;
export type WorkflowRun = z.infer<typeof runResource>;
export type WorkflowRunStep = z.infer<typeof runStepResource>;
export type WorkflowBatch = z.infer<typeof batchResource>;
export type ManualRunInput = z.input<typeof manualRunInputSchema>;
/** A definition as the editor holds it: what the API accepts, defaults left out. */
export type WorkflowDraft = WorkflowDefinitionInput;
export type DraftStep = WorkflowDraft["steps"][number];
export type DraftTrigger = WorkflowDraft["trigger"];
export type { LoginBody, PasswordChange, SetupBody, WorkspacePatch };

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
