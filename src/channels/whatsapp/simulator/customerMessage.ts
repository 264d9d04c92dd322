import { SimulatorError } from "./SimulatorError.ts";
import type { SimMessage, SimNumber } from "./simulatorTypes.ts";

/**
 * What a phone sends: a text, or a tap on a button / list row / template quick reply of the last message that
 * offered some. `quote` (the wamid of a business message on the phone) is the swipe-reply: a text then quotes it,
 * a tap taps that message's buttons. Returns the webhook's `messages[]` entry (without from/id/timestamp) and the
 * phone's own copy.
 */
export function customerMessage(
  n: SimNumber,
  chat: SimMessage[],
  o: { text?: string; reply?: { id: string }; quote?: string },
  id: string,
  at: number,
): { message: Record<string, unknown>; simMsg: SimMessage } {
  const base = {
    id,
    phoneNumberId: n.phoneNumberId,
    direction: "out" as const,
    status: "received" as const,
    timestamp: at,
  };
  const quoted = o.quote ? chat.find((m) => m.id === o.quote && m.direction === "in") : undefined;
  if (o.quote && !quoted) throw new SimulatorError(`no message "${o.quote}" from the business on the phone`);
  const from = n.displayPhoneNumber.replace(/\D/g, "");
  if (!o.reply) {
    const text = (o.text ?? "").trim();
    if (!text) throw new SimulatorError("give text or reply");
    const quoting = quoted ? { context: { from, id: quoted.id } } : {};
    return {
      message: { ...quoting, type: "text", text: { body: text } },
      simMsg: { ...base, type: "text", text },
    };
  }
  const last = quoted ?? [...chat].reverse().find((m) => m.direction === "in" && m.options?.length);
  const opt = last?.options?.find((x) => x.id === o.reply?.id || x.title === o.reply?.id);
  if (!last || !opt) {
    const offered = last?.options?.map((x) => x.id).join(", ");
    throw new SimulatorError(
      offered
        ? `no option "${o.reply.id}" on the ${quoted ? "quoted" : "latest"} message with options; it offers: ${offered}`
        : "the business has sent no buttons or list to tap",
    );
  }
  const context = { from, id: last.id };
  const message =
    opt.kind === "quick_reply"
      ? { context, type: "button", button: { payload: opt.id, text: opt.title } }
      : {
          context,
          type: "interactive",
          interactive: {
            type: opt.kind,
            [opt.kind]: {
              id: opt.id,
              title: opt.title,
              ...(opt.description ? { description: opt.description } : {}),
            },
          },
        };
  return { message, simMsg: { ...base, type: message.type, text: opt.title } };
}
