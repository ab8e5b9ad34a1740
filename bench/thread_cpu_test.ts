import { assertEquals, assertRejects, assertThrows } from "@shared/testing/asserts.ts";
import { liveTreeTicks, treeTicks } from "./_process.ts";
import {
  parseSchedstat,
  parseTaskLines,
  parseTaskStat,
  sampleThreads,
  type ThreadSample,
  threadUse,
} from "./thread_cpu.ts";

// A V8 platform thread's stat line as Linux writes it: the name holds a space and is cut to 15.
const V8_LINE = "11961 (V8 DefaultWorke) S 11938 11938 11938 0 -1 4194368 1349 0 0 0 " +
  "18 3 0 0 20 0 9 0 2390641 1024008192 43122 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 " +
  "-1 1 0 0 0 0 0";

Deno.test("a thread's stat line gives its name and utime + stime, whatever the name holds", () => {
  assertEquals(parseTaskStat(V8_LINE), { comm: "V8 DefaultWorke", ticks: 21 });
  // A name with ") " in it: the last ")" ends it.
  const odd = V8_LINE.replace("(V8 DefaultWorke)", "(a) b (c)");
  assertEquals(parseTaskStat(odd), { comm: "a) b (c", ticks: 21 });
});

Deno.test("a line that is not a stat line is refused by name", () => {
  assertThrows(
    () => parseTaskStat("no parentheses here"),
    Error,
    "not a /proc stat line: no parentheses here",
  );
  assertThrows(
    () => parseTaskStat("1 (deno) S 1 2"),
    Error,
    "no utime/stime in /proc stat line: 1 (deno) S 1 2",
  );
  assertThrows(() => parseSchedstat("x y z"), Error, "not a schedstat line: x y z");
});

Deno.test("schedstat gives the time on a CPU and the time waiting for one", () => {
  assertEquals(parseSchedstat("1866331 527553 12\n"), { runNs: 1866331, waitNs: 527553 });
});

Deno.test("thread use adds up per kind, counts threads born in between in full", () => {
  const t = (kind: ThreadSample["kind"], ticks: number, runNs = 0, waitNs = 0): ThreadSample => ({
    kind,
    ticks,
    runNs,
    waitNs,
  });
  const before = new Map([[10, t("main", 100, 1_000, 500)], [11, t("kv store", 40)], [
    12,
    t("web workers", 5),
  ]]);
  const after = new Map([
    [10, t("main", 160, 9_000, 2_500)],
    [11, t("kv store", 70)],
    [12, t("web workers", 9)],
    [13, t("web workers", 3)],
    [14, t("v8 helpers", 2)],
  ]);
  assertEquals(threadUse(before, after), {
    ticks: { main: 60, "kv store": 30, "web workers": 7, "v8 helpers": 2, other: 0 },
    mainRunNs: 8_000,
    mainWaitNs: 2_000,
  });
});

Deno.test("this process's threads are sampled from /proc, the main thread by its id", async () => {
  const threads = await sampleThreads(Deno.pid);
  const main = threads.get(Deno.pid);
  assertEquals(main?.kind, "main");
  assertEquals(main!.runNs > 0, true);
  assertEquals([...threads.values()].filter((s) => s.kind === "main").length, 1);
});

Deno.test("task lines give each thread's id, name, CPU, run-queue time and children", () => {
  const text = `11961\t${V8_LINE}\t1866331 527553 12\t\n` +
    `11938\t11938 (deno) S 1 1 1 0 -1 0 0 0 0 0 160 23 0 0 20 0 9\t9000 2500 40\t12001 12002 \n`;
  assertEquals(parseTaskLines(text), [
    {
      tid: 11961,
      comm: "V8 DefaultWorke",
      ticks: 21,
      runNs: 1866331,
      waitNs: 527553,
      children: [],
    },
    { tid: 11938, comm: "deno", ticks: 183, runNs: 9000, waitNs: 2500, children: [12001, 12002] },
  ]);
  assertThrows(() => parseTaskLines("11961\tonly two"), Error, "not a task line: 11961\tonly two");
});

Deno.test("a running child's CPU is read, and counted in its parent's tree", async () => {
  const child = new Deno.Command("sh", {
    args: ["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 30"],
  })
    .spawn();
  try {
    let own = 0;
    for (let i = 0; i < 100 && own < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
      own = await liveTreeTicks(child.pid);
    }
    assertEquals(own >= 5, true, `the busy child used ${own} ticks`);
    const mine = await treeTicks(Deno.pid);
    assertEquals(mine >= own, true, `this process's tree ${mine} ticks, its child's ${own}`);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  // Once it has ended there is nothing to read, and a "running" process that shows nothing is an
  // error rather than a process that used no CPU.
  assertEquals(await treeTicks(child.pid), 0);
  await assertRejects(
    () => liveTreeTicks(child.pid),
    Error,
    `cannot read the CPU counters of running process ${child.pid} from /proc`,
  );
});
