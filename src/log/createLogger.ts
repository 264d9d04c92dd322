import pino, { type Logger } from "pino";

/** The process logger: JSON lines on stdout; ids (conversationId, runId, messageId) go in child bindings. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "parley" },
      redact: {
        paths: [
          "req.headers.authorization",
          "access_token",
          "app_secret",
          "verify_token",
          "*.access_token",
          "*.app_secret",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
