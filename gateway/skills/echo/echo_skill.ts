/**
 * @module
 * The built-in `echo` skill: "echo hello" → a job whose result is "hello". It needs no
 * permission at all, which makes it the reference for the sandbox.
 */
import type { Skill } from "../../skill_kit/skill.ts";

const ECHO_PREFIX =
  /^\s*(?:please\s+)?(?:echo(?: back)?|repeat after me|(?:say|repeat) back)\b[\s,:]*/i;

export const echoSkill: Skill = {
  intent: "echo",
  description: "Answers with the text it was given (for checks, tests and benchmarks).",
  patterns: [
    { pattern: /^\s*(?:please\s+)?echo\b/i, weight: 3 },
    { pattern: /\brepeat after me\b/i, weight: 3 },
    // Asking for words back: "say back", "repeat back" ("play back the voicemail" is not).
    { pattern: /\b(?:say|repeat) back\b/i, weight: 2 },
  ],
  paramsFromClause: (clause) => ({ text: clause.replace(ECHO_PREFIX, "").trim() || clause }),
  worker: new URL("./echo_worker.ts", import.meta.url),
  permissions: () => ({
    read: false,
    write: false,
    net: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
  }),
  config: () => ({}),
  retry: { attempts: 3, base_delay_ms: 200, max_delay_ms: 5_000, timeout_ms: 90_000 },
  concurrency: 32,
};
