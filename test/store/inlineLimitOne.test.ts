import { describe, expect, test } from "vitest";
import { createDatabase } from "../../src/store/createDatabase.ts";
import { migrate } from "../../src/store/migrate.ts";

describe("SQLite: limit 1 is written into the SQL", () => {
  test("an outer select's limit 1 is literal (and still returns the newest row); other limits stay bound", async () => {
    const database = createDatabase("sqlite::memory:");
    try {
      await migrate(database.db, "sqlite");
      const db = database.db;
      const one = db.selectFrom("events").select("id").orderBy("id", "desc").limit(1);
      const compiledOne = one.compile();
      expect(compiledOne.sql).toMatch(/limit 1$/);
      expect(compiledOne.parameters).toEqual([]);
      const five = db.selectFrom("events").select("id").orderBy("id").limit(5).compile();
      expect(five.sql).toMatch(/limit \?$/);
      expect(five.parameters).toEqual([5]);

      // Only the rows' order matters here, not the workspace they belong to.
      database.sqlite?.pragma("foreign_keys = off");
      const ws = "w1";
      for (const type of ["a", "b", "c"])
        await db
          .insertInto("events")
          .values({
            workspace_id: ws,
            type,
            contact_id: null,
            conversation_id: null,
            payload: "{}",
            created_at: 0,
          })
          .execute();
      const newest = await db.selectFrom("events").select("type").orderBy("id", "desc").limit(1).execute();
      expect(newest).toEqual([{ type: "c" }]);
    } finally {
      await database.close();
    }
  });
});
