import {
  type KyselyPlugin,
  LimitNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  SelectQueryNode,
  type UnknownRow,
  ValueNode,
} from "kysely";

/**
 * SQLite plugin: writes a select's `limit 1` into the SQL instead of binding it. With a bound limit SQLite can't
 * use its stop-at-the-first-row plan for `order by … limit 1`: the newest-conversation lookup every workflow
 * open makes took 22–24 µs bound against 9 µs literal (same rows, same index). Only the outermost select is
 * looked at (no tree walk per query), and other limits stay bound, so claims of varying sizes still share one
 * prepared statement.
 */
export const inlineLimitOne: KyselyPlugin = {
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (!SelectQueryNode.is(node) || !node.limit) return node;
    const limit = node.limit.limit;
    if (!ValueNode.is(limit) || limit.value !== 1 || limit.immediate) return node;
    return { ...node, limit: LimitNode.create(ValueNode.createImmediate(1)) };
  },
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  },
};
