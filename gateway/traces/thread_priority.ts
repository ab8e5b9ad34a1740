/**
 * @module
 * Lowers the scheduling priority of the calling thread, for background threads (the trace
 * store's worker) that must not take a core from the thread answering requests. On a busy host
 * the request thread otherwise queues for a core behind work that could as well run a moment
 * later: the trace store writes batches whose timing nobody waits on.
 *
 * Linux only: there the nice value belongs to each thread, and `setpriority(PRIO_PROCESS, 0)`
 * (what `os.setPriority(n)` calls) changes the calling thread alone. On Windows and macOS the same
 * call changes the whole process, the request thread with it, so nothing is done there.
 */
import { getPriority, setPriority } from "node:os";

/**
 * Nice value of background threads: about a tenth of the CPU of a thread at the default (0)
 * while both want the same core (CFS weights 110 against 1024), yet never starved, and an idle
 * core is used at once. Trace writes lag only while the request thread needs the core.
 */
export const BACKGROUND_NICE = 10;

/**
 * Gives the calling thread the nice value `nice` (Linux), only ever lowering its priority: a
 * thread already at that value or beyond it (a gateway started with `nice -n 15`) is left as it
 * is, even where the privileges would allow raising it. Returns whether it was changed; false on
 * other systems, for such a thread, and when the system or the permissions refuse it (the thread
 * then runs as before, which is only slower for the others).
 */
export function lowerThreadPriority(
  nice = BACKGROUND_NICE,
  os: string = Deno.build.os,
): boolean {
  if (os !== "linux") return false;
  try {
    if (getPriority() >= nice) return false;
    setPriority(nice);
    return true;
  } catch {
    return false;
  }
}
