import type { MessageRow } from "../../../store/databaseSchema.ts";
import { classifyGraphError } from "../graph/classifyGraphError.ts";
import { createGraphClient } from "../graph/graphClient.ts";
import { outboundMessageSchema } from "../graph/outboundMessageSchema.ts";
import { toGraphMessage } from "../graph/toGraphMessage.ts";
import type { RoutedChannel } from "../ingest/ChannelDirectory.ts";

export type SendResult =
  | { ok: true; waMessageId: string }
  | {
      ok: false;
      permanent: boolean;
      code: string;
      detail: string;
      retryAfterMs?: number;
      channelUnhealthy?: boolean;
      windowClosed?: boolean;
    };

const clients = new Map<string, ReturnType<typeof createGraphClient>>();

/** One Graph API call for one queued message; never throws for API or network failures. */
export async function sendOne(
  routed: RoutedChannel,
  toPhone: string,
  m: MessageRow,
  timeoutMs: number,
): Promise<SendResult> {
  const parsed = outboundMessageSchema.safeParse(JSON.parse(m.content));
  if (!parsed.success) {
    return {
      ok: false,
      permanent: true,
      code: "invalid_content",
      detail: parsed.error.issues.map((i) => i.message).join("; "),
    };
  }
  const ch = routed.channel;
  const key = `${ch.id}:${ch.graphBaseUrl}:${ch.graphVersion}:${routed.accessToken}`;
  let client = clients.get(key);
  if (!client) {
    client = createGraphClient({
      baseUrl: ch.graphBaseUrl,
      version: ch.graphVersion,
      accessToken: routed.accessToken,
      timeoutMs,
    });
    clients.set(key, client);
  }
  // Our message id rides along and comes back in status webhooks, so a status can find its message even if
  // it arrives before we have recorded the wamid.
  const body = { ...toGraphMessage(toPhone, parsed.data), biz_opaque_callback_data: m.id };
  const res = await client.sendMessage(ch.phoneNumberId, body);
  if (res.ok) return { ok: true, waMessageId: res.waMessageId };
  const c = classifyGraphError(res.error);
  return {
    ok: false,
    permanent: !c.retry,
    code: String(c.code),
    detail: c.detail,
    retryAfterMs: c.retryAfterMs,
    channelUnhealthy: c.channelUnhealthy,
    windowClosed: c.windowClosed,
  };
}
