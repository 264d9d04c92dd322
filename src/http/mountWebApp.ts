import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../app/AppContext.ts";
import { workspaceStore } from "../store/workspaceStore.ts";

export const WEB_DIST = fileURLToPath(new URL("../../web/dist/", import.meta.url));

/** Paths that belong to the server; everything else under GET is a page of the single-page app. */
const SERVER_PATHS = /^\/(api|hooks|webhooks|simulator|sandbox|healthz|metrics)(\/|$)/;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Serves the built web app (`web/dist`): hashed assets with long caching, and index.html for every other GET
 * that isn't an API path, so client-side routes survive a reload. The brand name goes into the page title on
 * the server, so even the first paint is white-labelled. Returns the fallback for the not-found handler, or
 * null when the app hasn't been built.
 */
export async function mountWebApp(
  app: FastifyInstance,
  deps: AppContext,
  dist = WEB_DIST,
): Promise<((req: FastifyRequest, reply: FastifyReply) => Promise<boolean>) | null> {
  const indexFile = `${dist}index.html`;
  if (!existsSync(indexFile)) {
    deps.log.warn({ dist }, "the web app is not built (npm run build:web); serving the API only");
    return null;
  }
  const template = readFileSync(indexFile, "utf8");
  await app.register(fastifyStatic, {
    root: dist,
    prefix: "/",
    wildcard: false,
    index: false,
    setHeaders(reply, path) {
      if (path.includes("/assets/")) reply.header("cache-control", "public, max-age=31536000, immutable");
    },
  });

  const page = async (_req: FastifyRequest, reply: FastifyReply) => {
    const brand = (await workspaceStore.first(deps.store))?.brandName ?? "Parley";
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(template.replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(brand)}</title>`));
  };
  app.get("/", { schema: { hide: true } }, page);

  return async (req, reply) => {
    const path = req.url.split("?")[0] ?? "/";
    if (req.method !== "GET" || SERVER_PATHS.test(path) || /\.\w+$/.test(path)) return false;
    await page(req, reply);
    return true;
  };
}
