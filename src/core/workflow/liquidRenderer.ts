import { Liquid, type Template, UndefinedVariableError } from "liquidjs";
import { WORKFLOW_LIMITS } from "./workflowLimits.ts";

// Templates come from workflow authors, so the engine gets no file system, bounded parse/render budgets and a
// capped output: a template can't read files, hang a worker, or blow up a message.
const engine = new Liquid({
  strictVariables: false,
  // In strict renders (renderLiquidRequired) a `default` filter still supplies a value for a missing variable.
  lenientIf: true,
  // An object output as is would print "[object Object]", a list its items run together: a list of plain values
  // reads as "vip, new", anything else as its JSON. Other values go back as they came, for liquidjs to print as
  // it always would (hence the cast).
  outputEscape: (value: unknown) =>
    Array.isArray(value) && value.every((v) => v === null || typeof v !== "object")
      ? value.join(", ")
      : isPlainData(value)
        ? JSON.stringify(value)
        : (value as string),
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

// With no file system these tags could only fail on every render; refusing them at parse time makes saving the
// workflow say so instead.
for (const tag of ["include", "render", "layout"])
  engine.registerTag(tag, {
    parse() {
      throw new Error(`{% ${tag} %} is not available: templates cannot include other files`);
    },
    render() {},
  });

function isPlainData(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Shows a strict render null and "" as missing (liquidjs only counts undefined), wrapping objects lazily along the
 * paths a template reads, so a large payload is not copied.
 */
const valuesOnly: ProxyHandler<object> = {
  get(target, key, receiver) {
    const v: unknown = Reflect.get(target, key, receiver);
    if (v === null || v === "") return undefined;
    return typeof v === "object" ? new Proxy(v, valuesOnly) : v;
  },
};

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
  return capped(await engine.render(parse(source), scope));
}

const capped = (out: unknown): string => String(out).slice(0, WORKFLOW_LIMITS.renderedChars);

/**
 * Renders like renderLiquid, but every variable the template outputs must have a value (missing, null and "" do
 * not count; a `default` filter supplies one): for keys, where an empty piece would merge unrelated data.
 * @example await renderLiquidRequired("deal-{{ trigger.deal.id }}", { trigger: {} }) // { missing: "trigger.deal" }
 */
export async function renderLiquidRequired(
  source: string,
  scope: Record<string, unknown>,
): Promise<{ text: string } | { missing: string }> {
  if (!source.includes("{{") && !source.includes("{%")) return { text: source };
  try {
    return {
      text: capped(
        await engine.render(parse(source), new Proxy(scope, valuesOnly), { strictVariables: true }),
      ),
    };
  } catch (err) {
    if (!(err instanceof UndefinedVariableError)) throw err;
    // liquidjs names the variable only in its message: "undefined variable: trigger.deal, line:1, col:9".
    return { missing: /undefined variable: ([^,\s]+)/.exec(err.message)?.[1] ?? "a variable" };
  }
}
