import { SimulatorError } from "./SimulatorError.ts";
import type { SimMessage, SimNumber } from "./simulatorTypes.ts";

/**
 * What a phone sends: a text, or a tap on a button / list row / template quick reply of the last message that
 * offered some. Returns the webhook's `messages[]` entry (without from/id/timestamp) and the phone's own copy.
 */
export function customerMessage(
  n: SimNumber,
  chat: SimMessage[],
  o: { text?: string; reply?: { id: string } },
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
  if (!o.reply) {
    const text = (o.text ?? "").trim();
    if (!text) throw new SimulatorError("give text or reply");
    return { message: { type: "text", text: { body: text } }, simMsg: { ...base, type: "text", text } };
  }
  const last = [...chat].reverse().find((m) => m.direction === "in" && m.options?.length);
  const opt = last?.options?.find((x) => x.id === o.reply?.id || x.title === o.reply?.id);
  if (!last || !opt) {
    const offered = last?.options?.map((x) => x.id).join(", ");
    throw new SimulatorError(
      offered
        ? `no option "${o.reply.id}" on the latest message with options; it offers: ${offered}`
        : "the business has sent no buttons or list to tap",
    );
  }
  const context = { from: n.displayPhoneNumber.replace(/\D/g, ""), id: last.id };
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
