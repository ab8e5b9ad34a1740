/**
 * @module
 * A skill that exists only for the test that adding a skill is one folder and one line:
 * "reverse hello world" → "dlrow olleh". It is built from the skill kit alone.
 */
import type { Skill, SkillFactory } from "../../../skill_kit/skill.ts";

const REVERSE_PREFIX = /^\s*(?:please\s+)?reverse\b[\s,:]*/i;

export const reverseSkill: Skill = {
  intent: "reverse",
  description: "Answers with the text it was given, backwards.",
  ability: "reverse text",
  patterns: [{ pattern: /^\s*(?:please\s+)?reverse\b/i, weight: 3 }],
  paramsFromClause: (clause) => ({ text: clause.replace(REVERSE_PREFIX, "").trim() }),
  worker: new URL("./reverse_worker.ts", import.meta.url),
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
  retry: { attempts: 1, base_delay_ms: 10, max_delay_ms: 10, timeout_ms: 10_000 },
  concurrency: 1,
};

/** The line a registry would hold for it. */
export const reverseSkillFactory: SkillFactory = () => ({ skill: reverseSkill });
