import { assertEquals, assertRejects } from "@shared/testing/asserts.ts";
import { QueueError } from "../queue.ts";
import { GroupCommit, type KvWrite } from "./group_commit.ts";

const put = (key: Deno.KvKey, value: unknown, versionstamp: string | null = null): KvWrite => ({
  checks: [{ key, versionstamp }],
  mutations: [{ type: "set", key, value }],
  bytes: 100,
});

async function withKv(fn: (kv: Deno.Kv, group: GroupCommit) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv, new GroupCommit(kv));
  } finally {
    kv.close();
  }
}

Deno.test("GroupCommit: writes submitted during a commit share the next one", () =>
  withKv(async (kv) => {
    const group = new GroupCommit(kv, { pipeline: 1, gather: false });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => group.submit(put(["k", i], i))),
    );
    assertEquals(results, [true, true, true, true, true]);
    const stamps = (await kv.getMany(Array.from({ length: 5 }, (_, i) => ["k", i])))
      .map((e) => e.versionstamp);
    // The first commits at once; the other four wait for it and go together.
    assertEquals(new Set(stamps).size, 2);
    assertEquals(new Set(stamps.slice(1)).size, 1);
  }));

Deno.test("GroupCommit: with two commits in flight, the third write waits and batches", () =>
  withKv(async (kv) => {
    const group = new GroupCommit(kv, { pipeline: 2, gather: false });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => group.submit(put(["k", i], i))),
    );
    assertEquals(results, [true, true, true, true, true]);
    const stamps = (await kv.getMany(Array.from({ length: 5 }, (_, i) => ["k", i])))
      .map((e) => e.versionstamp);
    assertEquals(new Set(stamps).size, 3);
    assertEquals(new Set(stamps.slice(2)).size, 1);
  }));

/** Submits five writes, each after an await as requests' handlers do; their versionstamps. */
async function fiveWritesAfterAwaits(kv: Deno.Kv, group: GroupCommit): Promise<string[]> {
  const results: Promise<boolean>[] = [];
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
    results.push(group.submit(put(["k", i], i)));
  }
  assertEquals(await Promise.all(results), [true, true, true, true, true]);
  return (await kv.getMany(Array.from({ length: 5 }, (_, i) => ["k", i])))
    .map((e) => e.versionstamp!);
}

Deno.test("GroupCommit: with gathering, writes submitted one after another in one turn share one commit", () =>
  withKv(async (kv) => {
    // Each write is submitted after an await, as requests' handlers do: without the gathering
    // turn the first would commit alone.
    const stamps = await fiveWritesAfterAwaits(kv, new GroupCommit(kv, { gather: true }));
    assertEquals(new Set(stamps).size, 1);
  }));

Deno.test("GroupCommit: by default (no gathering, two commits in flight), the first two of those writes commit alone", () =>
  withKv(async (kv, group) => {
    const stamps = await fiveWritesAfterAwaits(kv, group);
    assertEquals(new Set(stamps).size, 3);
    assertEquals(new Set(stamps.slice(0, 2)).size, 2);
    assertEquals(new Set(stamps.slice(2)).size, 1);
  }));

Deno.test("GroupCommit: a failed check fails only its own write", () =>
  withKv(async (kv, group) => {
    await kv.set(["taken"], "before");
    const results = await Promise.all([
      group.submit(put(["a"], 1)),
      group.submit(put(["b"], 2)),
      group.submit(put(["taken"], "after")),
      group.submit(put(["c"], 3)),
    ]);
    assertEquals(results, [true, true, false, true]);
    assertEquals((await kv.get(["taken"])).value, "before");
    assertEquals((await kv.getMany([["a"], ["b"], ["c"]])).map((e) => e.value), [1, 2, 3]);
  }));

Deno.test("GroupCommit: two writes checking one key never both succeed", () =>
  withKv(async (kv, group) => {
    const results = await Promise.all([
      group.submit(put(["first"], 0)),
      group.submit(put(["same"], "one")),
      group.submit(put(["same"], "two")),
    ]);
    assertEquals(results, [true, true, false]);
    assertEquals((await kv.get(["same"])).value, "one");
  }));

Deno.test("GroupCommit: a write the store refuses fails alone, as a QueueError", () =>
  withKv(async (kv, group) => {
    const tooBig = put(["big"], "x".repeat(70_000));
    const outcomes = Promise.allSettled([
      group.submit(put(["first"], 0)),
      group.submit(put(["a"], 1)),
      group.submit(tooBig),
      group.submit(put(["b"], 2)),
    ]);
    await assertRejects(
      () => group.submit(put(["big2"], "y".repeat(70_000))),
      QueueError,
      "Cannot write to the kv queue: Value too large (max 65536 bytes)",
    );
    const settled = await outcomes;
    assertEquals(settled.map((s) => s.status), ["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    assertEquals((await kv.getMany([["a"], ["b"], ["big"]])).map((e) => e.value), [1, 2, null]);
  }));
