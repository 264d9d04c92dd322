import swagger from "@fastify/swagger";
import apiReference from "@scalar/fastify-api-reference";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../app/AppContext.ts";
import type { EventHub } from "../live/EventHub.ts";
import { collectMetrics } from "../observability/collectMetrics.ts";
import { createAuthenticate } from "./authenticate.ts";
import { LoginLimiter } from "./LoginLimiter.ts";
import { mountWebApp } from "./mountWebApp.ts";
import { errorHandler, problem, sendProblem, toProblem } from "./problem.ts";
import { RouteMethods } from "./RouteMethods.ts";
import { rejectNulCharacters } from "./rejectNulCharacters.ts";
import { apiKeyRoutes } from "./routes/apiKeyRoutes.ts";
import { authRoutes } from "./routes/authRoutes.ts";
import { channelRoutes } from "./routes/channelRoutes.ts";
import { commentRoutes } from "./routes/commentRoutes.ts";
import { contactRoutes } from "./routes/contactRoutes.ts";
import { conversationRoutes } from "./routes/conversationRoutes.ts";
import { eventRoutes } from "./routes/eventRoutes.ts";
import { hookRoutes } from "./routes/hookRoutes.ts";
import { metricsRoute } from "./routes/metricsRoute.ts";
import { reportRoutes } from "./routes/reportRoutes.ts";
import { templateRoutes } from "./routes/templateRoutes.ts";
import { userRoutes } from "./routes/userRoutes.ts";
import { workflowRoutes } from "./routes/workflowRoutes.ts";
import { workspaceRoutes } from "./routes/workspaceRoutes.ts";

export const BODY_LIMIT = 1024 * 1024;

export interface ServerParts {
  hub: EventHub;
  /** Extra plugins mounted at the root (webhooks, the simulator). */
  extra?: (app: FastifyInstance) => Promise<void> | void;
  /** Serve the built web app at `/` (off in API-only tests). */
  webApp?: boolean;
}

/** The HTTP server: public health check, the authenticated v1 API, the OpenAPI document and its reference page. */
export async function buildServer(deps: AppContext, parts: ServerParts): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({
      disableRequestLogging: deps.config.LOG_LEVEL !== "debug" && deps.config.LOG_LEVEL !== "trace",
    }),
    bodyLimit: BODY_LIMIT,
    // Only proxies we were told to trust may set the client address; anyone else could fake X-Forwarded-For.
    trustProxy: trustProxyOption(deps.config.PARLEY_TRUST_PROXY),
    return503OnClosing: true,
    // Fastify's default (100) answers a longer id with "414 URI Too Long"; ids are validated by their routes'
    // schemas (up to 200 characters), which name the parameter.
    routerOptions: { maxParamLength: 1000 },
    // Malformed URLs and over-long path parameters are answered before routing; keep them problem+json too.
    frameworkErrors: (err, _req, reply) => sendProblem(reply, toProblem(err)),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, req, reply) => errorHandler(err, req, reply));
  // Before any route, so the latency hook sees every request.
  const metrics = collectMetrics(app, deps.store, () => deps.webhookBacklog?.() ?? 0);
  const spaFallback = parts.webApp ? await mountWebApp(app, deps) : null;
  const routes = new RouteMethods();
  app.addHook("onRoute", (r) => routes.add(r.method, r.url ?? r.path));
  app.setNotFoundHandler(async (req, reply) => {
    if (spaFallback && (await spaFallback(req, reply))) return reply;
    const path = req.url.split("?")[0] ?? "/";
    const allowed = routes.allowed(path);
    // A route of this very method that still didn't match (a constraint, say) is a plain 404.
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      reply.header("allow", allowed.join(", "));
      return sendProblem(
        reply,
        problem(
          405,
          "method_not_allowed",
          `${req.method} is not supported on ${path}; use ${allowed.join(", ")}`,
        ),
      );
    }
    return sendProblem(reply, problem(404, "not_found", `No route for ${req.method} ${path}`));
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Parley API",
        version: "1.0.0",
        description:
          "Open, run and close WhatsApp conversations. Authenticate with `Authorization: Bearer <api key>`, or with the web app's session cookie (then writes must send the `X-CSRF-Token` header from `GET /api/v1/me`). Errors are application/problem+json (RFC 9457).",
      },
      components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  // Self-hosted and possibly offline: the reference page uses system fonts rather than fetching Scalar's.
  await app.register(apiReference, {
    routePrefix: "/api/docs",
    configuration: { url: "/api/openapi.json", withDefaultFonts: false },
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/healthz",
    { schema: { tags: ["Health"], security: [], response: { 200: z.object({ status: z.literal("ok") }) } } },
    async () => ({ status: "ok" as const }),
  );
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  metricsRoute(app, metrics, deps.config.PARLEY_METRICS_TOKEN);

  const authenticate = createAuthenticate(deps.store);
  const limiter = new LoginLimiter(deps.store);
  await app.register(
    async (pub) => {
      pub.removeContentTypeParser("text/plain");
      authRoutes(pub, deps, limiter);
    },
    { prefix: "/api/v1/auth" },
  );
  await app.register(
    async (api) => {
      api.addHook("onRequest", authenticate);
      api.addHook("preValidation", rejectNulCharacters);
      // The API speaks JSON only; Fastify's default text/plain parser would turn a wrong type into a 422.
      api.removeContentTypeParser("text/plain");
      workspaceRoutes(api, deps);
      channelRoutes(api, deps);
      contactRoutes(api, deps);
      conversationRoutes(api, deps);
      commentRoutes(api, deps);
      eventRoutes(api, parts.hub, deps.store);
      reportRoutes(api, deps);
      templateRoutes(api, deps);
      workflowRoutes(api, deps);
      userRoutes(api, deps);
      apiKeyRoutes(api, deps);
    },
    { prefix: "/api/v1" },
  );
  hookRoutes(app, deps);
  if (parts.extra) await parts.extra(app);
  return app;
}

function trustProxyOption(value: string): boolean | string[] {
  if (value === "true" || value === "false") return value === "true";
  return value.split(",").map((v) => v.trim());
}
