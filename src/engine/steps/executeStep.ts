import type { Step } from "../../core/workflow/workflowDefinitionSchema.ts";
import type { StepContext, StepResult } from "../stepTypes.ts";
import { executeAddComment } from "./executeAddComment.ts";
import { executeAskQuestion } from "./executeAskQuestion.ts";
import { executeAssign } from "./executeAssign.ts";
import { executeBranch } from "./executeBranch.ts";
import { executeCloseConversation } from "./executeCloseConversation.ts";
import { executeHttpRequest } from "./executeHttpRequest.ts";
import { executeJumpTo } from "./executeJumpTo.ts";
import { executeOpenConversation } from "./executeOpenConversation.ts";
import { executeSendMessage } from "./executeSendMessage.ts";
import { executeTriggerWorkflow } from "./executeTriggerWorkflow.ts";
import { executeUpdateContact } from "./executeUpdateContact.ts";
import { executeWait } from "./executeWait.ts";

/** The one dispatcher from step type to executor; adding a step type without an executor fails to compile. */
export function executeStep(step: Step, sc: StepContext): Promise<StepResult> {
  switch (step.type) {
    case "open_conversation":
      return executeOpenConversation(step, sc);
    case "send_message":
      return executeSendMessage(step, sc);
    case "ask_question":
      return executeAskQuestion(step, sc);
    case "wait":
      return executeWait(step, sc);
    case "branch":
      return executeBranch(step, sc);
    case "assign":
      return executeAssign(step, sc);
    case "update_contact":
      return executeUpdateContact(step, sc);
    case "add_comment":
      return executeAddComment(step, sc);
    case "http_request":
      return executeHttpRequest(step, sc);
    case "trigger_workflow":
      return executeTriggerWorkflow(step, sc);
    case "jump_to":
      return executeJumpTo(step, sc);
    case "close_conversation":
      return executeCloseConversation(step, sc);
    default: {
      const never: never = step;
      return never;
    }
  }
}
