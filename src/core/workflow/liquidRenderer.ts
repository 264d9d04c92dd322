import { Liquid, type Template } from "liquidjs";
import { WORKFLOW_LIMITS } from "./workflowLimits.ts";

// Templates come from workflow authors, so the engine gets no file system, bounded parse/render budgets and a
// capped output: a template can't read files, hang a worker, or blow up a message.
const engine = new Liquid({
  strictVariables: false,
  strictFilters: true,
  ownPropertyOnly: true,
  relativeReference: false,
  fs: {
    exists: async () => false,
    existsSync: () => false,
    readFile: async () => {
      throw new Error("templates cannot include files");
    },
    readFileSync: () => {
      throw new Error("templates cannot include files");
    },
    resolve: (_dir: string, file: string) => file,
    contains: async () => false,
    sep: "/",
  },
  parseLimit: 100_000,
  renderLimit: 1000,
  memoryLimit: 10_000_000,
});

const cache = new Map<string, Template[]>();
const CACHE_MAX = 5000;

function parse(source: string): Template[] {
  let t = cache.get(source);
  if (!t) {
    t = engine.parse(source);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(source, t);
  }
  return t;
}

/** Throws a readable error when `source` is not valid Liquid (used by validation on save). */
export function checkLiquid(source: string): string | null {
  try {
    parse(source);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message.split("\n")[0]! : String(err);
  }
}

/**
 * Renders a Liquid template over the run's data; plain strings skip the engine. Output is capped.
 * @example await renderLiquid("Hi {{ contact.first_name }}", { contact: { first_name: "Riya" } })
 */
export async function renderLiquid(source: string, scope: Record<string, unknown>): Promise<string> {
  if (!source.includes("{{") && !source.includes("{%")) return source;
  const out = String(await engine.render(parse(source), scope));
  return out.length > WORKFLOW_LIMITS.renderedChars ? out.slice(0, WORKFLOW_LIMITS.renderedChars) : out;
}
