import { assertEquals } from "@shared/testing/asserts.ts";
import { getPriority } from "node:os";
import { lowerThreadPriority } from "./thread_priority.ts";
import { WorkerLibsqlTraceSink } from "./worker_libsql_sink.ts";

/** Each live thread of this process: its id, its name and its nice value (Linux; tests run -A). */
function threadNices(): { tid: number; name: string; nice: number }[] {
  const out = [];
  for (const entry of Deno.readDirSync("/proc/self/task")) {
    const tid = Number(entry.name);
    try {
      // getpriority() takes a thread id on Linux, where the nice value is each thread's own.
      const name = Deno.readTextFileSync(`/proc/self/task/${tid}/comm`).trim();
      out.push({ tid, name, nice: getPriority(tid) });
    } catch {
      // A thread that ended since the folder was listed (a worker of an earlier test).
    }
  }
  return out;
}

/**
 * This process's nice value when the tests start: 0 unless the suite itself runs under `nice`.
 * Raising it is always allowed; lowering it back takes privileges, so the tests that ask for a
 * value only run where it is at least this process's own.
 */
const BASE_NICE = Deno.build.os === "linux" ? getPriority() : 0;

/**
 * Runs `lowerThreadPriority(ask)` in a Worker of its own, first setting that thread's nice value
 * to `start` when given; answers what the call returned and the thread's nice value after it.
 */
async function inWorker(ask: number, start?: number): Promise<{ applied: boolean; nice: number }> {
  const module = new URL("./thread_priority.ts", import.meta.url).href;
  const source = `import { lowerThreadPriority } from "${module}";
    import { getPriority, setPriority } from "node:os";
    ${start === undefined ? "" : `setPriority(${start});`}
    const applied = lowerThreadPriority(${ask});
    self.postMessage({ applied, nice: getPriority() });`;
  const url = URL.createObjectURL(new Blob([source], { type: "application/javascript" }));
  const worker = new Worker(url, { type: "module" });
  const { promise, resolve } = Promise.withResolvers<{ applied: boolean; nice: number }>();
  worker.onmessage = (e) => resolve(e.data);
  try {
    return await promise;
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

Deno.test({
  name: "lowerThreadPriority lowers the calling thread alone on Linux",
  ignore: Deno.build.os !== "linux" || BASE_NICE > 7,
  fn: async () => {
    assertEquals(await inWorker(7), { applied: true, nice: 7 });
    // The thread that asked, not the process: this one is where it was.
    assertEquals(getPriority(), BASE_NICE);
  },
});

Deno.test({
  name: "lowerThreadPriority never raises a thread's priority",
  ignore: Deno.build.os !== "linux" || BASE_NICE > 12,
  fn: async () => {
    assertEquals(await inWorker(7, 12), { applied: false, nice: 12 });
  },
});

Deno.test("lowerThreadPriority does nothing where the nice value is the whole process's", () => {
  assertEquals(lowerThreadPriority(10, "windows"), false);
  assertEquals(lowerThreadPriority(10, "darwin"), false);
  assertEquals(getPriority(), BASE_NICE);
});

Deno.test({
  name: "the trace store's worker thread runs at nice 10, the gateway's thread where it was",
  ignore: Deno.build.os !== "linux" || BASE_NICE > 10,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const before = new Set(threadNices().map((t) => t.tid));
    const sink = new WorkerLibsqlTraceSink({ url: `file:${dir}/traces.sqlite` });
    try {
      await sink.ping();
      const threads = threadNices();
      const workers = threads.filter((t) => !before.has(t.tid) && /^worker-\d+$/.test(t.name));
      assertEquals(workers.map((t) => t.nice), [10]);
      assertEquals(threads.find((t) => t.tid === Deno.pid)?.nice, BASE_NICE);
    } finally {
      await sink.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
