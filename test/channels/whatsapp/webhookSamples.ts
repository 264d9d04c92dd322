import { readdirSync, readFileSync } from "node:fs";

const DIR = new URL("../../fixtures/whatsapp/webhook-samples/", import.meta.url);

/** Every real webhook delivery in the fixtures, as [file, case, payload]. */
export function webhookSamples(): [string, string, unknown][] {
  const out: [string, string, unknown][] = [];
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const cases = JSON.parse(readFileSync(new URL(file, DIR), "utf8")) as Record<string, unknown>;
    for (const [name, payload] of Object.entries(cases)) out.push([file, name, payload]);
  }
  return out;
}

/** A copy of a sample delivery addressed to another number (and WABA), as if Meta sent it to our channel. */
export function readdress(
  payload: unknown,
  phoneNumberId: string,
  wabaId: string,
  idSuffix?: string,
): unknown {
  const copy = JSON.parse(JSON.stringify(payload));
  for (const entry of copy.entry ?? []) {
    entry.id = wabaId;
    for (const change of entry.changes ?? []) {
      if (change.value?.metadata) change.value.metadata.phone_number_id = phoneNumberId;
      // The samples reuse one message id; a suffix makes each case a distinct message.
      if (idSuffix) for (const m of change.value?.messages ?? []) m.id = `${m.id}.${idSuffix}`;
    }
  }
  return copy;
}
