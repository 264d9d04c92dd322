import { describe, expect, test } from "vitest";
import { GroupCommit } from "../../src/store/GroupCommit.ts";

describe("GroupCommit", () => {
  test("items submitted in one turn commit together; a failed batch falls back to one item at a time", async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>({
      commitBatch: async (items) => {
        batches.push(items);
        if (items.includes(13)) throw new Error("bad item in the batch");
        return items.map((i) => i * 2);
      },
      commitOne: async (i) => {
        if (i === 13) throw new Error("thirteen");
        return i * 2;
      },
    });
    expect(await Promise.all([1, 2, 3].map((i) => gc.submit(i)))).toEqual([2, 4, 6]);
    const mixed = await Promise.allSettled([4, 13, 5].map((i) => gc.submit(i)));
    expect(mixed.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      8,
      "thirteen",
      10,
    ]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 13, 5],
    ]);
  });

  test("without commitOne a failed batch fails every item; maxBatch splits a burst", async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number, void>({
      maxBatch: 2,
      commitBatch: async (items) => {
        sizes.push(items.length);
        if (items.includes(0)) throw new Error("disk full");
        return items.map(() => undefined);
      },
    });
    const all = await Promise.allSettled([1, 2, 3, 0, 4].map((i) => gc.submit(i)));
    expect(all.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected", "fulfilled"]);
    expect(sizes).toEqual([2, 2, 1]);
  });
});
