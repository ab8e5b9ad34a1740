/**
 * @module
 * Where a process's CPU goes, by kind of thread (Linux `/proc`): the main thread that runs the
 * event loop, Deno KV's SQLite thread, Web Workers, V8's helper threads (concurrent GC and
 * compilation). With the CPU each used it samples how long the main thread sat runnable but
 * waiting for a core (`schedstat`): on a two-core host shared with the load client, a request's
 * cost is paid by every thread, and work on any of them delays the event loop.
 *
 * The counters are read through `sh`, not with `Deno.readTextFile`: Deno (2.9.6 at least)
 * treats `/proc` as privileged and refuses every read of it short of `--allow-all`, which the
 * benchmarks do not run with. A benchmark that read nothing would show a process as using no CPU
 * at all, so callers that know the process runs use `liveTreeTicks` (`_process.ts`), which fails
 * instead.
 */

export type ThreadKind = "main" | "kv store" | "web workers" | "v8 helpers" | "other";

export interface ThreadSample {
  kind: ThreadKind;
  /** utime + stime, clock ticks. */
  ticks: number;
  /** Time on a CPU and time runnable but waiting for one, ns (`schedstat`). */
  runNs: number;
  waitNs: number;
}

/** Name and utime + stime of `/proc/<pid>/task/<tid>/stat`. The name may hold spaces and ")". */
export function parseTaskStat(text: string): { comm: string; ticks: number } {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  // Fields after the name, from the third (state): utime and stime are the 14th and 15th.
  const fields = text.slice(close + 2).trim().split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`no utime/stime in /proc stat line: ${text.slice(0, 80)}`);
  }
  return { comm: text.slice(open + 1, close), ticks: utime + stime };
}

/** `/proc/<pid>/task/<tid>/schedstat`: ns on a CPU, ns waiting on a run queue, time slices. */
export function parseSchedstat(text: string): { runNs: number; waitNs: number } {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait)) {
    throw new Error(`not a schedstat line: ${text.slice(0, 80)}`);
  }
  return { runNs: run!, waitNs: wait! };
}

/**
 * A thread's kind from its name: Deno names Web Workers `worker-N` and Deno KV's SQLite thread
 * `sw-N`; V8's platform threads are `V8 DefaultWorker` (cut to 15 characters by Linux).
 */
export function threadKind(comm: string, tid: number, pid: number): ThreadKind {
  if (tid === pid) return "main";
  if (/^sw-\d+$/.test(comm)) return "kv store";
  if (/^worker-\d+$/.test(comm)) return "web workers";
  if (comm.startsWith("V8 ")) return "v8 helpers";
  return "other";
}

/**
 * The process `$1`'s own `stat` line (its CPU includes threads that have ended), then one line per
 * live thread: its id, then its `stat`, `schedstat` and `children` lines, tab-separated. A thread
 * that ends meanwhile is left out; an ended process prints nothing.
 */
const READ_PROCESS = `IFS= read -r p 2>/dev/null < /proc/"$1"/stat || exit 0
printf '%s\n' "$p"
for t in /proc/"$1"/task/*; do
  IFS= read -r s 2>/dev/null < "$t/stat" || continue
  q=""; IFS= read -r q 2>/dev/null < "$t/schedstat"
  c=""; IFS= read -r c 2>/dev/null < "$t/children"
  printf '%s\t%s\t%s\t%s\n' "\${t##*/}" "$s" "$q" "$c"
done`;

export interface TaskLine {
  tid: number;
  comm: string;
  ticks: number;
  runNs: number;
  waitNs: number;
  /** Processes this thread started. */
  children: number[];
}

/** A process now: its own CPU (ended threads included) and its live threads. */
export interface ProcessSample {
  ticks: number;
  threads: TaskLine[];
}

/** Parses the task lines of {@linkcode READ_PROCESS}. */
export function parseTaskLines(text: string): TaskLine[] {
  return text.split("\n").filter((l) => l.length > 0).map((line) => {
    // The name in a stat line could hold a tab: the fields are taken from both ends.
    const parts = line.split("\t");
    if (parts.length < 4) throw new Error(`not a task line: ${line.slice(0, 80)}`);
    const sched = parts.at(-2)!;
    return {
      tid: Number(parts[0]),
      ...parseTaskStat(parts.slice(1, -2).join("\t")),
      ...(sched ? parseSchedstat(sched) : { runNs: 0, waitNs: 0 }),
      children: parts.at(-1)!.trim().split(/\s+/).filter(Boolean).map(Number),
    };
  });
}

/** The process `pid` now; null once it has ended. */
export async function readProcess(pid: number): Promise<ProcessSample | null> {
  const out = await new Deno.Command("sh", {
    args: ["-c", READ_PROCESS, "sh", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const end = text.indexOf("\n");
  if (end < 0) return null;
  return {
    ticks: parseTaskStat(text.slice(0, end)).ticks,
    threads: parseTaskLines(text.slice(end + 1)),
  };
}

/** Every thread of `pid` now, by thread id; empty once the process has ended. */
export async function sampleThreads(pid: number): Promise<Map<number, ThreadSample>> {
  const out = new Map<number, ThreadSample>();
  for (const t of (await readProcess(pid))?.threads ?? []) {
    out.set(t.tid, {
      kind: threadKind(t.comm, t.tid, pid),
      ticks: t.ticks,
      runNs: t.runNs,
      waitNs: t.waitNs,
    });
  }
  return out;
}

export interface ThreadUse {
  /** Clock ticks used between the samples, per kind of thread. */
  ticks: Record<ThreadKind, number>;
  /** The main thread's ns on a CPU and ns runnable but waiting for one. */
  mainRunNs: number;
  mainWaitNs: number;
}

/** What each kind of thread used between two samples (threads born in between count in full). */
export function threadUse(
  before: ReadonlyMap<number, ThreadSample>,
  after: ReadonlyMap<number, ThreadSample>,
): ThreadUse {
  const ticks: Record<ThreadKind, number> = {
    main: 0,
    "kv store": 0,
    "web workers": 0,
    "v8 helpers": 0,
    other: 0,
  };
  let mainRunNs = 0, mainWaitNs = 0;
  for (const [tid, now] of after) {
    const then = before.get(tid);
    ticks[now.kind] += now.ticks - (then?.ticks ?? 0);
    if (now.kind === "main") {
      mainRunNs += now.runNs - (then?.runNs ?? 0);
      mainWaitNs += now.waitNs - (then?.waitNs ?? 0);
    }
  }
  return { ticks, mainRunNs, mainWaitNs };
}
