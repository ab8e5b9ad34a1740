/**
 * @module
 * How the router recognises a browser request ("open the QA dashboard to verify deploy status").
 */
import type { SkillPattern } from "../skill.ts";

export const BROWSER_PATTERNS: readonly SkillPattern[] = [
  {
    pattern:
      /\b(?:open|browse|navigate|visit|go to|load|click|scroll|log ?in to|sign ?in to|screenshot)\b/i,
    weight: 2,
  },
  {
    pattern:
      /\b(?:browser|website|web ?site|web ?page|page|dashboard|url|site|tab|link|portal|console)\b/i,
    weight: 1,
  },
  { pattern: /\bhttps?:\/\/\S+/i, weight: 3 },
  {
    pattern:
      /\b(?:verify|check|confirm)\b.*\b(?:deploy(?:ment)?|status|dashboard|page|site|uptime)\b/i,
    weight: 1,
  },
  { pattern: /\bsearch (?:the web|online|google) for\b/i, weight: 3 },
];

/** The first URL in a clause, when there is one. */
export function urlFromClause(clause: string): string | undefined {
  return /\bhttps?:\/\/[^\s,;]+/i.exec(clause)?.[0]?.replace(/[.)]+$/, "");
}
