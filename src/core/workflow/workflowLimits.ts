/** Hard limits on workflows, chosen so one workflow cannot starve the engine or flood a contact. */
export const WORKFLOW_LIMITS = {
  /** Steps in one definition (peers use the same figure). */
  steps: 100,
  /** Steps one run may execute, counting loops; a run beyond it fails instead of spinning forever. */
  executedSteps: 1000,
  /**
   * Runs started by trigger_workflow from a run started the same way, one after another: each run of a chain is
   * a new run, so the executed-steps limit can't stop a cycle of workflows starting each other; this does.
   */
  chainDepth: 10,
  /** Characters a Liquid template may render to. */
  renderedChars: 8192,
  /** Characters of one template source. */
  templateChars: 4096,
  /** Longest http_request timeout. */
  httpTimeoutMs: 30_000,
  /** Bytes of an http_request response kept on the run. */
  httpResponseBytes: 256 * 1024,
} as const;
