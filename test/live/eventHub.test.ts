import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EventHub, type LiveEvent } from "../../src/live/EventHub.ts";
import { resumeToken } from "../../src/live/resumeToken.ts";
import { startTestApp, type TestApp, waitFor } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

const insertEvent = (workspaceId: string, type: string) => ({
  text: `insert into events (workspace_id, type, contact_id, conversation_id, payload, created_at)
         values ($1, $2, null, null, '{}', $3) returning id`,
  values: [workspaceId, type, Date.now()],
});

describe.each(engines)("EventHub on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  /** `n` bare events of one type, in one statement on the app's own connection. */
  const insertEvents = (n: number, type: string) =>
    t.parley.deps.store.db
      .insertInto("events")
      .values(
        Array.from({ length: n }, () => ({
          workspace_id: t.workspaceId,
          type,
          contact_id: null,
          conversation_id: null,
          payload: "{}",
          created_at: Date.now(),
        })),
      )
      .execute();

  test("events from before the subscription are not replayed; new ones arrive once, in order", async () => {
    const store = t.parley.deps.store;
    await insertEvents(1, "test.old");
    const hub = new EventHub(store, pino({ level: "silent" }));
    await hub.start();
    const got: LiveEvent[] = [];
    await hub.subscribe(t.workspaceId, (e) => got.push(e));
    await insertEvents(1, "test.new1");
    await insertEvents(1, "test.new2");
    store.bus.emit("committed");
    await waitFor("two events", async () => got.length >= 2);
    store.bus.emit("committed");
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((e) => e.type)).toEqual(["test.new1", "test.new2"]);
    await hub.stop();
  });

  /** Two writer connections (one can hold its transaction open) and a hub to listen with; all closed after. */
  interface Writers {
    /** Opens the slow connection's transaction with one event of `type` in it; returns the event's id. */
    holdOpen(type: string): Promise<number>;
    /** Commits the slow connection's transaction. */
    commitHeld(): Promise<void>;
    /** One event of `type`, committed at once on the fast connection; returns its id. */
    add(type: string): Promise<number>;
    listen(): Promise<LiveEvent[]>;
  }

  async function withWriters(run: (w: Writers) => Promise<void>): Promise<void> {
    const hub = new EventHub(t.parley.deps.store, pino({ level: "silent" }));
    const slow = new pg.Client({ connectionString: t.db.url });
    const fast = new pg.Client({ connectionString: t.db.url });
    await slow.connect();
    await fast.connect();
    try {
      const insert = async (c: pg.Client, type: string) =>
        Number((await c.query(insertEvent(t.workspaceId, type))).rows[0].id);
      await run({
        holdOpen: async (type) => {
          await slow.query("begin");
          return insert(slow, type);
        },
        commitHeld: async () => void (await slow.query("commit")),
        add: (type) => insert(fast, type),
        listen: async () => {
          await hub.start();
          const got: LiveEvent[] = [];
          await hub.subscribe(t.workspaceId, (e) => got.push(e));
          return got;
        },
      });
    } finally {
      await slow.end();
      await fast.end();
      await hub.stop();
    }
  }
  const nudge = () => t.parley.deps.store.bus.emit("committed");

  /** A stream that receives one event (returned, with its resume point) and then ends. */
  async function markThenLeave(hub: EventHub): Promise<LiveEvent> {
    // On PostgreSQL a mark sent while any transaction of the cluster (other test files' included) was still open
    // carries a resume point before itself, so resuming from it replays more than what came after it. Take a mark
    // whose resume point is its own, so that "N events behind" is exact.
    for (let attempt = 0; attempt < 20; attempt++) {
      const got: LiveEvent[] = [];
      const stop = await hub.subscribe(t.workspaceId, (e) => got.push(e));
      await insertEvents(1, "test.mark");
      nudge();
      const mark = await waitFor("the mark", async () => got.findLast((e) => e.type === "test.mark"));
      stop();
      const final = resumeToken.parse(mark.resume)?.final;
      if (!final || final.id === mark.id) return mark;
    }
    throw new Error("no mark was sent with its own resume point");
  }

  test.runIf(engine === "postgres")(
    "an event whose transaction commits after a later one's is still delivered",
    () =>
      withWriters(async ({ holdOpen, commitHeld, add, listen }) => {
        const got = await listen();
        const low = await holdOpen("test.slow");
        const high = await add("test.fast");
        expect(high).toBeGreaterThan(low);
        nudge();
        await waitFor("the fast event", async () => got.some((e) => e.type === "test.fast"));
        await commitHeld();
        nudge();
        await waitFor("the slow event", async () => got.some((e) => e.type === "test.slow"));
        nudge();
        await new Promise((r) => setTimeout(r, 50));
        expect(got.map((e) => e.type).sort()).toEqual(["test.fast", "test.slow"]);
      }),
  );

  test.runIf(engine === "postgres")(
    "an event committed far behind the newest ids (hundreds of later events first) is delivered once",
    () =>
      withWriters(async ({ holdOpen, commitHeld, add, listen }) => {
        const got = await listen();
        await holdOpen("test.late");
        // Many later events commit and are delivered while the first transaction is still open.
        for (let i = 0; i < 600; i++) {
          await add("test.burst");
          if (i % 50 === 0) nudge();
        }
        nudge();
        await waitFor("the burst", async () => got.filter((e) => e.type === "test.burst").length === 600);
        await commitHeld();
        nudge();
        await waitFor("the late event", async () => got.some((e) => e.type === "test.late"));
        nudge();
        await new Promise((r) => setTimeout(r, 100));
        const ids = got.map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(got.filter((e) => e.type === "test.late")).toHaveLength(1);
        expect(got.filter((e) => e.type === "test.burst")).toHaveLength(600);
      }),
  );

  test.runIf(engine === "postgres")(
    "a transaction open when the first subscriber arrives is news when it commits; older commits are not",
    () =>
      withWriters(async ({ holdOpen, commitHeld, add, listen }) => {
        await holdOpen("test.pending");
        await add("test.before");
        const got = await listen();
        await commitHeld();
        await add("test.after");
        nudge();
        await waitFor("both new events", async () => got.length >= 2);
        nudge();
        await new Promise((r) => setTimeout(r, 100));
        expect(got.map((e) => e.type).sort()).toEqual(["test.after", "test.pending"]);
      }),
  );

  test.runIf(engine === "postgres")(
    "a stream resumed after a late commit gets the late event, though its id is below the resume point's",
    () =>
      withWriters(async ({ holdOpen, commitHeld, add, listen }) => {
        const got = await listen();
        await holdOpen("test.late");
        await add("test.seen");
        nudge();
        const seen = await waitFor("the seen event", async () => got.find((e) => e.type === "test.seen"));
        // The stream ends here; the late event commits while nobody is connected to this workspace's stream.
        const hub = new EventHub(t.parley.deps.store, pino({ level: "silent" }));
        await hub.start();
        try {
          await commitHeld();
          const token = resumeToken.parse(seen.resume);
          expect(token?.final).not.toBeNull();
          const resumed: LiveEvent[] = [];
          await hub.subscribe(t.workspaceId, (e) => resumed.push(e), token ?? undefined);
          expect(resumed.map((e) => e.type)).toContain("test.late");
        } finally {
          await hub.stop();
        }
      }),
  );

  test("a resumed stream replays more than a page, then goes on live: nothing lost, nothing twice", async () => {
    const store = t.parley.deps.store;
    const hub = new EventHub(store, pino({ level: "silent" }));
    await hub.start();
    try {
      const mark = await markThenLeave(hub);
      await insertEvents(1500, "test.missed");
      nudge();
      const resumed: LiveEvent[] = [];
      // Events keep committing while the replay runs.
      const subscribing = hub.subscribe(
        t.workspaceId,
        (e) => resumed.push(e),
        resumeToken.parse(mark.resume) ?? undefined,
      );
      for (let i = 0; i < 20; i++) {
        await insertEvents(5, "test.during");
        nudge();
      }
      await subscribing;
      await insertEvents(1, "test.after");
      nudge();
      await waitFor("the live event", async () => resumed.some((e) => e.type === "test.after"));
      nudge();
      await new Promise((r) => setTimeout(r, 50));
      const fresh = resumed.filter((e) => e.id > mark.id);
      const count = (type: string) => new Set(fresh.filter((e) => e.type === type).map((e) => e.id)).size;
      expect(count("test.missed")).toBe(1500);
      expect(count("test.during")).toBe(100);
      expect(count("test.after")).toBe(1);
      if (engine === "sqlite") {
        expect(resumed).toHaveLength(1601);
        expect(resumed.map((e) => e.id)).toEqual([...resumed.map((e) => e.id)].sort((a, b) => a - b));
      }
    } finally {
      await hub.stop();
    }
  });

  test("a stream too far behind is told to reload instead of being replayed everything, then goes on live", async () => {
    const hub = new EventHub(t.parley.deps.store, pino({ level: "silent" }), { replayLimit: 100 });
    await hub.start();
    try {
      const mark = await markThenLeave(hub);
      const from = resumeToken.parse(mark.resume) ?? undefined;

      // Exactly the limit behind: replayed.
      await insertEvents(100, "test.missed");
      const near: LiveEvent[] = [];
      const resets: string[] = [];
      const stopNear = await hub.subscribe(
        t.workspaceId,
        (e) => near.push(e),
        from,
        (p) => resets.push(p),
      );
      stopNear();
      expect(resets).toEqual([]);
      expect(near.filter((e) => e.type === "test.missed")).toHaveLength(100);

      // One more: a reset, with a resume point past everything missed, and nothing replayed.
      await insertEvents(1, "test.missed");
      const far: LiveEvent[] = [];
      await hub.subscribe(
        t.workspaceId,
        (e) => far.push(e),
        from,
        (p) => resets.push(p),
      );
      expect(resets).toHaveLength(1);
      expect(far.filter((e) => e.type === "test.missed")).toEqual([]);
      const point = resumeToken.parse(resets[0] ?? "");
      expect(point?.id).toBeGreaterThanOrEqual(Math.max(...near.map((e) => e.id)));
      await insertEvents(1, "test.live");
      nudge();
      await waitFor("the live event", async () => far.some((e) => e.type === "test.live"));

      // Resuming from the reset's point replays nothing of what was missed.
      const after: LiveEvent[] = [];
      await hub.subscribe(
        t.workspaceId,
        (e) => after.push(e),
        point ?? undefined,
        (p) => resets.push(p),
      );
      expect(resets).toHaveLength(1);
      expect(after.filter((e) => e.type === "test.missed")).toEqual([]);
    } finally {
      await hub.stop();
    }
  });
});
