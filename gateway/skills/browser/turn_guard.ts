/**
 * @module
 * The browser loop's guard rails, as pure state: a hard cap on model turns (`turn_limit`), the
 * same call with the same arguments several times in a row (`action_loop`), and a final answer
 * after calls that were all refused, with no action done in the browser (`no_action`). Each
 * check returns the error to end the job with, or null, so the loop stays a plain loop and the
 * rules can be tested without a browser.
 */
import { WorkerError } from "../../skill_kit/worker_errors.ts";

/** Identical calls in a row that end the job. */
export const LOOP_REPEATS = 3;

/** How a call ended, as far as the guard cares. */
export type CallOutcome =
  /** Executed in the browser without an error. */
  | "done"
  /** Nothing to execute (`open_web_browser`, `take_screenshot`): neither progress nor refusal. */
  | "observed"
  /** Not run: a function the model's set lacks, or arguments it cannot take. */
  | "refused"
  /** Run, but the browser reported an error (a page that would not load, …). */
  | "failed";

/** `{"b":1,"a":2}` and `{"a":2,"b":1}` are the same arguments. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export class TurnGuard {
  #turns = 0;
  #lastCall = "";
  #repeats = 0;
  #done = 0;
  #refused = 0;
  readonly refusedNames: string[] = [];

  constructor(readonly maxTurns: number, readonly loopRepeats: number = LOOP_REPEATS) {}

  /** Model turns asked for so far. */
  get turns(): number {
    return this.#turns;
  }

  /** Before asking the model again: `turn_limit` once `maxTurns` turns have been asked. */
  beforeTurn(): WorkerError | null {
    if (this.#turns >= this.maxTurns) {
      return new WorkerError(
        "turn_limit",
        `No final answer within ${this.maxTurns} model turns (BROWSER_MAX_TURNS caps them)`,
        { retryable: false },
      );
    }
    this.#turns++;
    return null;
  }

  /**
   * Before running a call: `action_loop` when it is the `loopRepeats`-th identical call in a
   * row (same name, same arguments, `safety_decision` included), so the repeat is not run.
   */
  beforeCall(name: string, args: Record<string, unknown>): WorkerError | null {
    const key = `${name}:${canonical(args)}`;
    this.#repeats = key === this.#lastCall ? this.#repeats + 1 : 1;
    this.#lastCall = key;
    if (this.#repeats >= this.loopRepeats) {
      return new WorkerError(
        "action_loop",
        `The model asked for '${name}' with the same arguments ${this.#repeats} times in a row (${
          canonical(args)
        }): it is not getting anywhere`,
        { retryable: false },
      );
    }
    return null;
  }

  afterCall(name: string, outcome: CallOutcome): void {
    if (outcome === "done") this.#done++;
    if (outcome === "refused") {
      this.#refused++;
      if (!this.refusedNames.includes(name)) this.refusedNames.push(name);
    }
  }

  /**
   * On a final answer: `no_action` when every call that did something was refused, so the
   * answer cannot rest on anything done in the browser (a model speaking another function set
   * would otherwise "succeed" having done nothing).
   */
  onAnswer(): WorkerError | null {
    if (this.#refused === 0 || this.#done > 0) return null;
    return new WorkerError(
      "no_action",
      `The model answered without any action having run: ${this.#refused} call(s) were refused (${
        this.refusedNames.join(", ")
      }); the answer is not trusted`,
      { retryable: false },
    );
  }
}
