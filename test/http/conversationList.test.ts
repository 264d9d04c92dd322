import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createChannel,
  createContact,
  openConversation,
  openWindow,
} from "../support/conversationHelpers.ts";
import { expectProblem, ids, walkPages } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

describe.each(engines)("GET /conversations and assign on %s", (engine) => {
  let t: TestApp;
  let channelA: string;
  let channelB: string;
  /** id → what it was set up as */
  const made: { id: string; contactId: string; channel: string; tag: string }[] = [];

  beforeAll(async () => {
    t = await startTestApp(engine);
    channelA = await createChannel(t, 1);
    channelB = await createChannel(t, 2);
    const setups: [string, unknown, string | null][] = [
      ["bot-open", { type: "bot" }, null],
      ["none-open", { type: "none" }, null],
      ["a1-open", { type: "agent", agent_id: "a1" }, null],
      ["a2-open", { type: "agent", agent_id: "a2" }, null],
      ["bot-sales", { type: "bot" }, "sales"],
      ["a1-support", { type: "agent", agent_id: "a1" }, "support"],
      ["none-sales", { type: "none" }, "sales"],
    ];
    for (const [i, [tag, assignee, category]] of setups.entries()) {
      const channel = i % 2 === 0 ? channelA : channelB;
      const contactId = await createContact(t, `+1415555${3000 + i}`, `Person ${tag}`);
      const { conversation } = await openConversation(t, {
        contact_id: contactId,
        channel_id: channel,
        assignee,
      });
      if (category) await t.api("POST", `/api/v1/conversations/${conversation.id}/close`, { category });
      made.push({ id: conversation.id, contactId, channel, tag });
    }
  });
  afterAll(() => t.close());

  const list = async (query: string) => {
    const res = await t.api("GET", `/api/v1/conversations?limit=200&${query}`);
    expect(res.status, res.text).toBe(200);
    return res;
  };
  const tagsOf = async (query: string) => {
    const got = ids(await list(query));
    return made
      .filter((m) => got.includes(m.id))
      .map((m) => m.tag)
      .sort();
  };

  test("filters: status, category, assignee, channel, contact", async () => {
    expect(await tagsOf("status=open")).toEqual(["a1-open", "a2-open", "bot-open", "none-open"]);
    expect(await tagsOf("status=closed")).toEqual(["a1-support", "bot-sales", "none-sales"]);
    expect(await tagsOf("category=sales")).toEqual(["bot-sales", "none-sales"]);
    expect(await tagsOf("category=support&status=closed")).toEqual(["a1-support"]);
    expect(await tagsOf("category=nothing")).toEqual([]);
    expect(await tagsOf("assignee=bot")).toEqual(["bot-open", "bot-sales"]);
    expect(await tagsOf("assignee=none")).toEqual(["none-open", "none-sales"]);
    expect(await tagsOf("assignee=agent")).toEqual(["a1-open", "a1-support", "a2-open"]);
    expect(await tagsOf("assignee=agent:a1")).toEqual(["a1-open", "a1-support"]);
    expect(await tagsOf("assignee=agent:a2&status=open")).toEqual(["a2-open"]);
    expect(await tagsOf("assignee=agent:zz")).toEqual([]);
    expect(await tagsOf(`channel_id=${channelA}`)).toEqual(
      made
        .filter((m) => m.channel === channelA)
        .map((m) => m.tag)
        .sort(),
    );
    expect(await tagsOf(`channel_id=${channelB}&status=closed`)).toEqual(["a1-support"]);
    expect(await tagsOf(`contact_id=${made[3]!.contactId}`)).toEqual(["a2-open"]);
    expect(await tagsOf("q=person%20bot")).toEqual(["bot-open", "bot-sales"]);
  });

  test("bad filters are 422s that name them", async () => {
    expectProblem(await t.api("GET", "/api/v1/conversations?status=pending"), 422, "status");
    expectProblem(await t.api("GET", "/api/v1/conversations?assignee=robot"), 422, "assignee");
    expectProblem(await t.api("GET", "/api/v1/conversations?limit=-1"), 422, "limit");
    expectProblem(await t.api("GET", "/api/v1/conversations?limit=1.5"), 422, "limit");
    expectProblem(await t.api("GET", "/api/v1/conversations?sort=asc"), 422, "sort");
  });

  test("newest activity first; activity moves a conversation to the top", async () => {
    const res = await list("");
    const times = res.body.data.map((c: { last_activity_at: string }) => Date.parse(c.last_activity_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const oldest = made[0]!;
    await new Promise((r) => setTimeout(r, 5));
    await openWindow(t, oldest.id);
    expect(
      (await t.api("POST", `/api/v1/conversations/${oldest.id}/messages`, { text: "bump" })).status,
    ).toBe(201);
    expect(ids(await list(""))[0]).toBe(oldest.id);
    await new Promise((r) => setTimeout(r, 5));
    await t.api("POST", `/api/v1/conversations/${made[1]!.id}/assign`, { type: "bot" });
    expect(ids(await list(""))[0]).toBe(made[1]!.id);
  });

  test("keyset pagination walks every conversation exactly once", async () => {
    const extra = await createChannel(t, 3);
    for (let i = 0; i < 11; i++) {
      await openConversation(t, {
        contact_id: await createContact(t, `+1415555${4000 + i}`),
        channel_id: extra,
      });
    }
    const everything = ids(await list(""));
    for (const [query, expected] of [
      ["", everything],
      [`channel_id=${extra}`, ids(await list(`channel_id=${extra}`))],
      ["status=open", ids(await list("status=open"))],
    ] as const) {
      const seen = await walkPages(t.api, `/api/v1/conversations?${query}`, 3);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);
    }
    expect(ids(await list(`channel_id=${extra}`))).toHaveLength(11);
  });

  test("a bad cursor is a 422 naming cursor", async () => {
    for (const cursor of ["abc", "eyJ4IjoxfQ", Buffer.from('["x","y"]').toString("base64url"), "%%%"]) {
      expectProblem(
        await t.api("GET", `/api/v1/conversations?cursor=${encodeURIComponent(cursor)}`),
        422,
        "cursor",
      );
    }
  });

  test("GET /conversations/:id, and 404 for an unknown id", async () => {
    const m = made[2]!;
    const res = await t.api("GET", `/api/v1/conversations/${m.id}`);
    expect(res.body).toMatchObject({ id: m.id, contact_id: m.contactId, channel_id: m.channel });
    expectProblem(await t.api("GET", "/api/v1/conversations/unknown-id"), 404);
  });

  test("assign: records an event in the timeline; assigning the same again is a no-op", async () => {
    const m = made[1]!;
    const res = await t.api("POST", `/api/v1/conversations/${m.id}/assign`, {
      type: "agent",
      agent_id: "a9",
    });
    expect(res.status).toBe(200);
    expect(res.body.assignee).toEqual({ type: "agent", agent_id: "a9" });
    const again = await t.api("POST", `/api/v1/conversations/${m.id}/assign`, {
      type: "agent",
      agent_id: "a9",
    });
    expect(again.status).toBe(200);
    expect(again.body.updated_at).toBe(res.body.updated_at);
    const timeline = await t.api("GET", `/api/v1/contacts/${m.contactId}/timeline`);
    const assigned = timeline.body.data.filter((e: { type: string }) => e.type === "conversation.assigned");
    expect(assigned.at(-1)).toMatchObject({
      conversation_id: m.id,
      assignee: { type: "agent", agent_id: "a9" },
      by: { type: "api" },
    });
    const count = assigned.length;
    await t.api("POST", `/api/v1/conversations/${m.id}/assign`, { type: "agent", agent_id: "a9" });
    const after = await t.api("GET", `/api/v1/contacts/${m.contactId}/timeline`);
    expect(after.body.data.filter((e: { type: string }) => e.type === "conversation.assigned")).toHaveLength(
      count,
    );
    expect(await tagsOf("assignee=agent:a9")).toEqual([m.tag]);
  });

  test("assign a closed conversation keeps it closed", async () => {
    const m = made[4]!;
    const res = await t.api("POST", `/api/v1/conversations/${m.id}/assign`, { type: "none" });
    expect(res.body).toMatchObject({ status: "closed", assignee: { type: "none" } });
  });

  test("bad assign bodies are 422; unknown conversation is 404", async () => {
    const id = made[0]!.id;
    expectProblem(
      await t.api("POST", `/api/v1/conversations/${id}/assign`, { type: "agent" }),
      422,
      "agent_id",
    );
    expectProblem(await t.api("POST", `/api/v1/conversations/${id}/assign`, { type: "human" }), 422, "type");
    expectProblem(
      await t.api("POST", `/api/v1/conversations/${id}/assign`, { type: "agent", agent_id: "" }),
      422,
      "agent_id",
    );
    expectProblem(await t.api("POST", "/api/v1/conversations/nope/assign", { type: "bot" }), 404);
  });
});
