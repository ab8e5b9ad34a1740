/**
 * @module
 * A typed event map: one listener type per event name, checked at compile time. A listener
 * that throws is reported and never stops the others (or the audio path that emitted).
 */

/** Listeners per event of the map `E`. */
export class TypedEmitter<E> {
  readonly #listeners = new Map<keyof E, Set<(payload: never) => void>>();
  readonly #onListenerError: (name: keyof E, error: unknown) => void;

  constructor(onListenerError: (name: keyof E, error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof E>(name: K, listener: (payload: E[K]) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, set = new Set());
    set.add(listener);
    return () => void set.delete(listener);
  }

  /** Calls every listener of `name` with `payload`, in subscription order. */
  emit<K extends keyof E>(name: K, payload: E[K]): void {
    for (const l of this.#listeners.get(name) ?? []) {
      try {
        (l as (payload: E[K]) => void)(payload);
      } catch (error) {
        this.#onListenerError(name, error);
      }
    }
  }
}
