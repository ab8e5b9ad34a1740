import { assertEquals } from "@shared/testing/asserts.ts";
import { newId } from "../ids.ts";
import { READY_BY_INTENT } from "./keys.ts";
import { readyHeads } from "./ready_heads.ts";

interface Ready {
  intent: string;
  rank: 0 | 1;
  id: string;
}

/** Puts `count` runnable jobs of `intent` at `rank` in the index (ids ascending: oldest first). */
async function ready(kv: Deno.Kv, intent: string, rank: 0 | 1, count: number): Promise<Ready[]> {
  const out: Ready[] = [];
  for (let i = 0; i < count; i++) {
    const r = { intent, rank, id: newId() };
    await kv.set([READY_BY_INTENT, intent, rank, r.id], null);
    out.push(r);
  }
  return out;
}

/** The best `limit`, as a full sort of everything would give them. */
const best = (all: Ready[], limit: number) =>
  [...all].sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1)).slice(0, limit)
    .map((r) => r.id);

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("readyHeads(): an empty index has no heads", () =>
  withKv(async (kv) => {
    assertEquals(await readyHeads(kv, undefined, 10), []);
    assertEquals(await readyHeads(kv, ["echo"], 10), []);
  }));

Deno.test("readyHeads(): interactive first, then oldest, across intents", () =>
  withKv(async (kv) => {
    const all = [
      ...await ready(kv, "echo", 1, 3),
      ...await ready(kv, "coding", 0, 2),
      ...await ready(kv, "browser", 1, 2),
      ...await ready(kv, "coding", 1, 1),
    ];
    assertEquals(await readyHeads(kv, undefined, 10), best(all, 10));
    assertEquals(await readyHeads(kv, undefined, 3), best(all, 3));
  }));

Deno.test("readyHeads(): a backlog of one intent does not hide a better job of another", () =>
  withKv(async (kv) => {
    // "browser" sorts first in the index; "echo" after it holds the interactive job.
    const all = [...await ready(kv, "browser", 1, 40), ...await ready(kv, "echo", 0, 1)];
    assertEquals(await readyHeads(kv, undefined, 10), best(all, 10));
    assertEquals((await readyHeads(kv, undefined, 10))[0], all[40]!.id);
  }));

Deno.test("readyHeads(): an intent cut at the end of a page is read on", () =>
  withKv(async (kv) => {
    // The first page holds three old background jobs of "a" and the start of "b"'s interactive
    // backlog: the best ten are all of "b", most of them past that page.
    const all = [...await ready(kv, "a", 1, 3), ...await ready(kv, "b", 0, 20)];
    assertEquals(await readyHeads(kv, undefined, 10), best(all, 10));
  }));

Deno.test("readyHeads(): many intents with backlogs", () =>
  withKv(async (kv) => {
    const all: Ready[] = [];
    for (const intent of ["a", "b", "c", "d", "e"]) {
      all.push(...await ready(kv, intent, 1, 12), ...await ready(kv, intent, 0, 2));
    }
    assertEquals(await readyHeads(kv, undefined, 10), best(all, 10));
    assertEquals(await readyHeads(kv, undefined, 4), best(all, 4));
  }));

Deno.test("readyHeads(): given intents only", () =>
  withKv(async (kv) => {
    const echo = await ready(kv, "echo", 1, 4);
    await ready(kv, "coding", 0, 4);
    const browser = await ready(kv, "browser", 0, 1);
    assertEquals(await readyHeads(kv, ["echo", "browser"], 3), best([...echo, ...browser], 3));
    assertEquals(await readyHeads(kv, ["teleport"], 3), []);
  }));
