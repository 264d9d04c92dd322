import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createContact } from "../support/conversationHelpers.ts";
import { expectProblem, walkPages } from "../support/expectProblem.ts";
import { startTestApp, type TestApp } from "../support/testApp.ts";
import { engines } from "../support/testDatabase.ts";

// What a workflow is handed from outside (a manual run's list, a webhook payload) is checked whole before
// anything is written: a refusal names the bad entry and leaves no contact, batch or run behind.
describe.each(engines)("workflow inputs on %s", (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  const contactIds = async () => (await walkPages(t.api, "/api/v1/contacts?", 100)).sort();
  const contactByPhone = async (phone: string) =>
    (await t.api("GET", `/api/v1/contacts?phone=${encodeURIComponent(phone)}`)).body.data[0];
  const runsOf = async (workflowId: string) =>
    (await t.api("GET", `/api/v1/workflows/${workflowId}/runs`)).body.data as { id: string }[];
  const create = async (def: Record<string, unknown>) => {
    const res = await t.api("POST", "/api/v1/workflows", def);
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string };
  };
  const webhook = (name: string, trigger: Record<string, unknown>) =>
    create({
      name,
      trigger: { type: "webhook", contact: { phone: "{{ trigger.phone }}" }, ...trigger },
      steps: [{ id: "w", type: "wait", duration: "PT1H" }],
    });
  const fire = (id: string, body: unknown) => t.api("POST", `/api/v1/workflows/${id}/trigger`, body);

  test("a manual run with a bad phone or an unknown contact id writes nothing and names the entry", async () => {
    const wf = await create({
      name: "manual-all-or-nothing",
      trigger: { type: "manual" },
      steps: [{ id: "w", type: "wait", duration: "PT1H" }],
    });
    const known = await createContact(t, "+14155550162");
    const before = await contactIds();

    const badPhone = await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, {
      phones: ["+14155550160", "+14155550161", "bad"],
    });
    const p = expectProblem(badPhone, 422, "phones[2]");
    expect(p.errors?.map((e) => e.field)).toEqual(["phones[2]"]);
    expect(p.detail).toMatch(/^phones\[2\]: "bad" is not a valid phone number/);
    expect(await contactIds()).toEqual(before);

    const unknownId = await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, {
      contact_ids: [known, "nope"],
      phones: ["+14155550163"],
    });
    expect(expectProblem(unknownId, 422, "contact_ids[1]").errors).toEqual([
      { field: "contact_ids[1]", message: "no contact nope in this workspace" },
    ]);
    // Another workspace's contact is unknown here too.
    const other = await t.otherWorkspace();
    const theirs = (await t.api("POST", "/api/v1/contacts", { phone: "+14155550164" }, { key: other.apiKey }))
      .body.id;
    expectProblem(
      await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, { contact_ids: [theirs] }),
      422,
      "contact_ids[0]",
    );

    expect(await contactIds()).toEqual(before);
    expect(await runsOf(wf.id)).toEqual([]);

    const ok = await t.api("POST", `/api/v1/workflows/${wf.id}/runs`, {
      contact_ids: [known],
      phones: ["+14155550160", "+1 (415) 555-0160", "+14155550162"],
    });
    expect(ok.status, ok.text).toBe(202);
    expect(ok.body.total).toBe(2); // one phone twice, and the listed contact's own phone
    expect((await contactIds()).length).toBe(before.length + 1);
  });

  test("a dedupe key whose variable has no value is a 422 naming it, and writes nothing", async () => {
    const wf = await webhook("deals", { dedupe_key: "deal-{{ trigger.deal.id }}" });
    const before = await contactIds();
    const noDeal = expectProblem(await fire(wf.id, { phone: "+14155550170" }), 422, "dedupe_key");
    expect(noDeal.detail).toContain("trigger.deal");
    for (const deal of [null, { id: null }, { id: "" }]) {
      const p = expectProblem(await fire(wf.id, { phone: "+14155550171", deal }), 422, "dedupe_key");
      expect(p.detail).toContain(deal === null ? "trigger.deal" : "trigger.deal.id");
    }
    expect(await contactIds()).toEqual(before);
    expect(await runsOf(wf.id)).toEqual([]);

    const first = await fire(wf.id, { phone: "+14155550170", deal: { id: 7 } });
    const other = await fire(wf.id, { phone: "+14155550171", deal: { id: 8 } });
    expect([first.status, other.status]).toEqual([202, 202]);
    expect(other.body.run_id).not.toBe(first.body.run_id);

    // A key made optional on purpose renders empty for a payload without it: no dedupe, one run each.
    const optional = await webhook("optional-key", { dedupe_key: '{{ trigger.order_id | default: "" }}' });
    const a = await fire(optional.id, { phone: "+14155550172" });
    const b = await fire(optional.id, { phone: "+14155550172" });
    expect([a.body.created, b.body.created]).toEqual([true, true]);
    expect(b.body.run_id).not.toBe(a.body.run_id);
  });

  test("a trigger whose dedupe key repeats answers the existing run and leaves the contact alone", async () => {
    const wf = await webhook("orders", {
      contact: {
        phone: "{{ trigger.phone }}",
        name: "{{ trigger.name }}",
        fields: { plan: "{{ trigger.plan }}" },
      },
      dedupe_key: "{{ trigger.order }}",
    });
    const first = await fire(wf.id, { phone: "+14155550173", name: "Riya", plan: "gold", order: "A-1" });
    expect(first.body.created).toBe(true);
    const stored = await contactByPhone("+14155550173");
    expect(stored).toMatchObject({ name: "Riya", fields: { plan: "gold" } });

    const again = await fire(wf.id, {
      phone: "+14155550173",
      name: "Someone Else",
      plan: "free",
      order: "A-1",
    });
    expect(again.body).toEqual({ run_id: first.body.run_id, created: false });
    expect(await contactByPhone("+14155550173")).toEqual(stored);

    const elsewhere = await fire(wf.id, { phone: "+14155550174", name: "Omar", plan: "gold", order: "A-1" });
    expect(elsewhere.body).toEqual({ run_id: first.body.run_id, created: false });
    expect(await contactByPhone("+14155550174")).toBeUndefined();
    expect((await runsOf(wf.id)).length).toBe(1);
  });

  test("the trigger's contact keeps to the contacts API's limits; objects render as JSON", async () => {
    const wf = await webhook("named", {
      contact: { phone: "{{ trigger.phone }}", name: "{{ trigger.name }}" },
    });
    const before = await contactIds();
    const long = expectProblem(
      await fire(wf.id, { phone: "+14155550175", name: "x".repeat(5000) }),
      422,
      "contact.name",
    );
    expect(long.detail).toMatch(/^contact\.name: .*200/);
    expect(await contactIds()).toEqual(before);
    expect(await runsOf(wf.id)).toEqual([]);

    expect((await fire(wf.id, { phone: "+14155550175", name: { a: 1 } })).status).toBe(202);
    expect((await contactByPhone("+14155550175")).name).toBe('{"a":1}');
    expect((await fire(wf.id, { phone: "+14155550176", name: ` ${"y".repeat(200)} ` })).status).toBe(202);
    expect((await contactByPhone("+14155550176")).name).toBe("y".repeat(200));
  });

  test("a mapped field the payload gives no value for keeps the contact's stored one", async () => {
    const wf = await webhook("fielded", {
      contact: { phone: "{{ trigger.phone }}", fields: { plan: "{{ trigger.plan }}" } },
    });
    expect((await fire(wf.id, { phone: "+14155550177", plan: "gold" })).status).toBe(202);
    expect((await fire(wf.id, { phone: "+14155550177" })).status).toBe(202);
    expect((await contactByPhone("+14155550177")).fields).toEqual({ plan: "gold" });
  });
});
