import type { Role } from "../core/auth/roleSchema.ts";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Changes that are workspace administration: settings, channels and their templates, workflows and their runs
 * (cancelling one is a change to a workflow's work, which agents only watch), people.
 */
const ADMIN_WRITES =
  /^\/(api\/v1\/(workspace|conversation-categories|channels|workflows|workflow-runs|workflow-batches|users)|sandbox\/channels)(\/|$)/;
/** Administration even to read: API keys. */
const ADMIN_ALL = /^\/api\/v1\/api-keys(\/|$)/;

/**
 * The role a route needs, decided in one table so that new routes (the workflow engine's) are covered by
 * their path without each handler remembering to check. Agents work the inbox; admins run the workspace.
 */
export function requiredRole(method: string, routeUrl: string): Role {
  if (ADMIN_ALL.test(routeUrl)) return "admin";
  if (READS.has(method)) return "agent";
  if (ADMIN_WRITES.test(routeUrl)) return "admin";
  return "agent";
}
