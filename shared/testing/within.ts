/**
 * @module
 * A hang guard for tests: a promise that never settles fails the test with what was awaited,
 * instead of hanging the run. A deadline, not a speed goal: give it room for a loaded machine.
 */

/** `p`, or a rejection naming `what` once `ms` have passed without it settling. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
