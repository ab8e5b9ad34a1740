/**
 * @module
 * Runs async calls one at a time. Concurrent claims from one process would only race for the
 * same head of the queue and retry on conflicts; taking turns is faster.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}
