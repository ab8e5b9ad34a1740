/**
 * @module
 * Faults for the stand-in's command line, one `--fault` each: `529`, `429:retry=2`, `delay:500`,
 * `drop`, `drop:3`, `slow:100`, `stream_error`, `stream_error:3`.
 */
import type { AnthropicFault } from "./anthropic_standin.ts";

const STATUSES = [400, 401, 403, 404, 429, 500, 503, 529] as const;
const SYNTAX = `${STATUSES.join("|")}[:retry=S], delay:MS, drop[:N], slow:MS, stream_error[:N]`;

/** Thrown for a `--fault` value that is not one of the forms above. */
export class FaultSpecError extends Error {
  override name = "FaultSpecError";
}

/** One fault from its command-line form. */
export function parseFaultSpec(spec: string): AnthropicFault {
  const fail = () =>
    new FaultSpecError(`Cannot parse fault '${spec}' as it is not one of: ${SYNTAX}`);
  const [head, arg, ...rest] = spec.trim().split(":");
  if (rest.length > 0 || !head) throw fail();
  const int = (s: string | undefined) => {
    if (s === undefined || !/^\d+$/.test(s)) throw fail();
    return Number(s);
  };
  const status = STATUSES.find((s) => String(s) === head);
  if (status !== undefined) {
    if (arg === undefined) return { kind: "status", status };
    const retry = /^retry=(\d+)$/.exec(arg);
    if (!retry) throw fail();
    return { kind: "status", status, retryAfterS: Number(retry[1]) };
  }
  switch (head) {
    case "delay":
      return { kind: "delay", ms: int(arg) };
    case "slow":
      return { kind: "slow", msPerDelta: int(arg) };
    case "drop":
      return arg === undefined ? { kind: "drop" } : { kind: "drop", afterDeltas: int(arg) };
    case "stream_error":
      return arg === undefined
        ? { kind: "stream_error" }
        : { kind: "stream_error", afterDeltas: int(arg) };
  }
  throw fail();
}
