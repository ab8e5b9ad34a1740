import { assertEquals } from "@shared/testing/asserts.ts";
import { getPriority } from "node:os";
import { lowerThreadPriority } from "./thread_priority.ts";

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
    // In a process of its own: other test modules start Web Workers in this one at any moment.
    const fixture = new URL("./fixtures/trace_worker_threads.ts", import.meta.url);
    const out = await new Deno.Command(Deno.execPath(), {
      // -A: Deno grants /proc only to a process with every permission.
      args: ["run", "-A", fixture.href],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    // The child inherits this process's nice value, so its main thread stays at BASE_NICE.
    assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), {
      workers: [10],
      main: BASE_NICE,
    });
  },
});
