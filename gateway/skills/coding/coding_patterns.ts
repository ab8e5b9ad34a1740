/**
 * @module
 * How the router recognises a coding request ("refactor the orchestrator router").
 */
import type { SkillPattern } from "../skill.ts";

export const CODING_PATTERNS: readonly SkillPattern[] = [
  {
    pattern:
      /\b(?:refactor|refactoring|implement|rewrite|rename|debug|fix|patch|optimi[sz]e|clean ?up|extract|lint|type-?check|compile|deprecate|migrate)\b/i,
    weight: 2,
  },
  {
    pattern:
      /\b(?:bug|code|codebase|function|method|class|module|repo|repository|source|typescript|unit tests?|tests?|test suite|commit|pull request|diff|api endpoint|endpoint|schema|router|orchestrator|handler|variable)\b/i,
    weight: 1,
  },
  {
    pattern:
      /\b(?:write|add|create)\b.*\b(?:tests?|function|class|module|endpoint|feature|types?)\b/i,
    weight: 2,
  },
];
