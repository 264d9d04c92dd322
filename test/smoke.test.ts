import pg from "pg";
import { expect, inject, test } from "vitest";

test("postgres is reachable", async () => {
  const client = new pg.Client({ connectionString: inject("postgresUrl") });
  await client.connect();
  const { rows } = await client.query("select version() as v");
  expect(String(rows[0].v)).toContain("PostgreSQL");
  await client.end();
});
