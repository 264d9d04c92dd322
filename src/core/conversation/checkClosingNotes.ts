import { AppError, type FieldIssue } from "../errors.ts";
import { type ClosingPolicy, SUMMARY_MAX } from "./conversationSchema.ts";

/**
 * Enforces the workspace's closing-notes policy on a close request, naming every missing or bad field at once.
 * Returns the trimmed summary (empty becomes null).
 */
export function checkClosingNotes(
  policy: ClosingPolicy,
  input: { category?: string | null; summary?: string | null },
): { category: string | null; summary: string | null } {
  const issues: FieldIssue[] = [];
  const category = input.category?.trim() || null;
  const summary = input.summary?.trim() || null;
  if (policy.category === "required" && !category) {
    issues.push({
      field: "category",
      message: "a category is required to close a conversation in this workspace",
    });
  }
  if (policy.summary === "required" && !summary) {
    issues.push({
      field: "summary",
      message: "a summary is required to close a conversation in this workspace",
    });
  }
  if (summary && summary.length > SUMMARY_MAX) {
    issues.push({
      field: "summary",
      message: `must be at most ${SUMMARY_MAX} characters (got ${summary.length})`,
    });
  }
  if (issues.length > 0) {
    throw AppError.invalid(issues);
  }
  return { category, summary };
}
