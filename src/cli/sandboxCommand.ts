import { Command } from "commander";

/** Where the running server is and how to authenticate: flags, else PARLEY_URL / PARLEY_API_KEY, else local. */
function target(o: { url?: string; key?: string }): { url: string; key: string } {
  const url = (o.url ?? process.env.PARLEY_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(
    /\/$/,
    "",
  );
  const key = o.key ?? process.env.PARLEY_API_KEY;
  if (!key)
    throw new Error("an API key is needed: pass --key or set PARLEY_API_KEY (printed on first start)");
  return { url, key };
}

async function call(method: string, url: string, key: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    throw new Error(`cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${res.status}: ${parsed?.detail ?? parsed?.title ?? text}`);
  return parsed;
}

/**
 * `parley sandbox say PHONE TEXT` / `parley sandbox tap PHONE ID` / `parley sandbox chat PHONE`: play the
 * customer on the built-in simulator of a running `parley serve`, from a terminal.
 */
export function sandboxCommand(): Command {
  const sandbox = new Command("sandbox").description("play a customer on the built-in WhatsApp simulator");
  const common = (c: Command) =>
    c
      .option("--url <url>", "the Parley server (default: PARLEY_URL or http://localhost:PORT)")
      .option("--key <key>", "API key (default: PARLEY_API_KEY)")
      .option("--channel <id>", "sandbox channel id (default: the first one)");
  const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

  common(sandbox.command("say <phone> <text>").description("the phone sends a text message"))
    .option("--name <name>", "the customer's WhatsApp profile name")
    .action(
      async (
        phone: string,
        text: string,
        o: { url?: string; key?: string; channel?: string; name?: string },
      ) => {
        const t = target(o);
        const body = {
          text,
          ...(o.channel ? { channel_id: o.channel } : {}),
          ...(o.name ? { name: o.name } : {}),
        };
        out(await call("POST", `${t.url}/sandbox/phones/${encodeURIComponent(phone)}/messages`, t.key, body));
      },
    );

  common(
    sandbox
      .command("tap <phone> <id>")
      .description(
        "the phone taps a button or list row (by id or title) of the latest message that has some",
      ),
  ).action(async (phone: string, id: string, o: { url?: string; key?: string; channel?: string }) => {
    const t = target(o);
    const body = { reply: { id }, ...(o.channel ? { channel_id: o.channel } : {}) };
    out(await call("POST", `${t.url}/sandbox/phones/${encodeURIComponent(phone)}/messages`, t.key, body));
  });

  common(sandbox.command("chat <phone>").description("show the phone's chat as the phone sees it")).action(
    async (phone: string, o: { url?: string; key?: string; channel?: string }) => {
      const t = target(o);
      const q = o.channel ? `?channel_id=${encodeURIComponent(o.channel)}` : "";
      const res = (await call(
        "GET",
        `${t.url}/sandbox/phones/${encodeURIComponent(phone)}/messages${q}`,
        t.key,
      )) as {
        data: {
          direction: string;
          text?: string;
          template_name?: string;
          status?: string;
          options?: { id: string; title: string }[];
        }[];
      };
      for (const m of res.data) {
        const who = m.direction === "to_phone" ? "business" : "customer";
        const what = m.template_name ? `[template ${m.template_name}] ${m.text ?? ""}` : (m.text ?? "");
        process.stdout.write(`${who.padEnd(8)} ${what}${m.status ? `  (${m.status})` : ""}\n`);
        // What `sandbox tap` accepts: the id, with the title beside it when they differ.
        const options = (m.options ?? []).map((x) => (x.id === x.title ? x.id : `${x.id} (${x.title})`));
        if (options.length > 0) process.stdout.write(`${"".padEnd(8)} tap: ${options.join(" | ")}\n`);
      }
    },
  );
  return sandbox;
}
