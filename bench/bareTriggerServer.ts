import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import Fastify from "fastify";

// The same-run baseline for bench:workflows: a bare Fastify route that takes a trigger's JSON and writes one row
// to SQLite (WAL) before answering 202 — what accepting a trigger costs with no workflow engine behind it.
const [port, file] = process.argv.slice(2);
const db = new Database(file ?? ":memory:");
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec(
  "create table if not exists triggers (id text primary key, payload text not null, at integer not null)",
);
const insert = db.prepare("insert into triggers (id, payload, at) values (?, ?, ?)");
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.get("/healthz", async () => ({ status: "ok" }));
app.post("/api/v1/workflows/:id/trigger", async (req, reply) => {
  const id = randomUUID();
  insert.run(id, JSON.stringify(req.body), Date.now());
  return reply.code(202).send({ run_id: id });
});
await app.listen({ port: Number(port), host: "127.0.0.1" });
