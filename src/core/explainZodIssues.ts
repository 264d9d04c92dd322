/** A zod issue as zod reports it (or as fastify-type-provider-zod passes it on: the same fields). */
export interface RawZodIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  expected?: string;
  keys?: string[];
  /** invalid_union: each option's own issues, paths relative to the union. */
  errors?: RawZodIssue[][];
  /** invalid_key / invalid_element: the key's or value's own issues. */
  issues?: RawZodIssue[];
}

export interface ExplainedIssue {
  path: PropertyKey[];
  /** The path as a field name: `steps[1].branches[0].when.op` ("" at the root). */
  field: string;
  code: string;
  message: string;
  keys?: string[];
}

/** A path as a field name: numbers as indexes, the rest dotted. */
export const fieldPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    "",
  );

const listOf = (words: string[]) =>
  words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;

const samePath = (a: readonly PropertyKey[], b: readonly PropertyKey[]) =>
  a.length === b.length && a.every((p, i) => p === b[i]);

// Fewer issues means the input got further through that option; complaints about unknown keys mean it was
// shaped for another one.
const distance = (issues: ExplainedIssue[]) =>
  issues.length + (issues.some((i) => i.code === "unrecognized_keys") ? 0.5 : 0);

/**
 * zod answers "Invalid input" for a value no option of a union accepts, and "Invalid key in record" for a bad
 * key, which names nothing a user can fix. This reads their nested issues: the option the input came closest to
 * (a condition with a bad `op` is told about `op`), or, when every option only wanted another type here, the
 * types it could have been.
 */
export function explainZodIssues(
  issues: readonly RawZodIssue[],
  base: readonly PropertyKey[] = [],
): ExplainedIssue[] {
  return issues.flatMap((issue) => explainOne(issue, base));
}

function explainOne(issue: RawZodIssue, base: readonly PropertyKey[]): ExplainedIssue[] {
  const path = [...base, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors?.length) {
    const options = issue.errors.map((o) => explainZodIssues(o, path));
    const onlyType = options.every(
      (o) => o.length === 1 && o[0]!.code === "invalid_type" && samePath(o[0]!.path, path),
    );
    if (onlyType) {
      const expected = [...new Set(issue.errors.map((o) => o[0]?.expected).filter((e) => e !== undefined))];
      const received = /received (\w+)/.exec(issue.errors[0]?.[0]?.message ?? "")?.[1];
      return [
        {
          path,
          field: fieldPath(path),
          code: "invalid_type",
          message: `Invalid input: expected ${listOf(expected)}${received ? `, received ${received}` : ""}`,
        },
      ];
    }
    return options.reduce((best, o) => (distance(o) < distance(best) ? o : best));
  }
  if (issue.code === "invalid_key" && issue.issues?.length) {
    const key = JSON.stringify(String(path.at(-1) ?? ""));
    return issue.issues.map((i) => ({
      path,
      field: fieldPath(path),
      code: i.code,
      message: `the key ${key}: ${i.message}`,
    }));
  }
  return [
    {
      path,
      field: fieldPath(path),
      code: issue.code,
      message: issue.message,
      ...(issue.keys ? { keys: issue.keys } : {}),
    },
  ];
}
