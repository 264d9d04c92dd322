import { describe, expect, test } from "vitest";
import { renderLiquid } from "../../../src/core/workflow/liquidRenderer.ts";

describe("what a Liquid output prints for lists and objects", () => {
  const scope = { contact: { tags: ["vip", "new"] }, order: { id: 7, items: ["a"] }, lines: [{ sku: "A1" }] };
  test("a list of plain values reads as a list; objects print their JSON, never [object Object]", async () => {
    expect(await renderLiquid("Tags: {{ contact.tags }}", scope)).toBe("Tags: vip, new");
    expect(await renderLiquid("{{ order }}", scope)).toBe('{"id":7,"items":["a"]}');
    expect(await renderLiquid("{{ lines }}", scope)).toBe('[{"sku":"A1"}]');
    expect(await renderLiquid("{{ contact.tags | join: '/' }} {{ order.id }}", scope)).toBe("vip/new 7");
  });
});
