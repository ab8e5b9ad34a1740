/**
 * @module
 * Facts about the outside world that people look up on the web: "find the submission deadline
 * for neurips", "find the pricing for openai's embedding models", "I need the latest release
 * notes for godot". Not the weather: that is for an assistant. Cues of the browser lexicon (see
 * `browser_patterns.ts`).
 */
import type { LexiconTerm } from "../../skill_kit/lexicon.ts";

/** What is read on the web: prices, dates, news, schedules, rankings. */
const FACTS =
  "pricing|prices?|price list|costs?|deadlines?|due dates?|timelines?|release dates?|release notes|roadmap|schedules?|news|headlines|announcements?|top posts?|fares?|specs|ratings?|reviews|rankings?|leaderboard|opening hours|hours|availability|exchange rates?|salary ranges?|salaries|requirements|eligibility|submission guidelines|call for papers|cfp|standings|scores";

export const WEB_CUES: readonly LexiconTerm[] = [
  // "find the submission deadline for neurips": the fact sought, with its qualifiers, is read on
  // the web. Matched from the determiner, so a word inside it ("the deprecation timeline", "the
  // latest release notes") is part of the fact.
  {
    name: "fact sought",
    pattern: new RegExp(
      `(?<=\\b(?:find(?: out)?|look up|check|get|see|pull up|dig up|need|want|know|is there|are there)\\s+(?:me\\s+)?(?:what\\s+)?)(?:the|any|a|some)\\s+(?:[a-z0-9'-]+\\s+){0,3}?(?:${FACTS})\\b(?!\\s+(?:page|component|endpoint|table|function|module|field|column|view|screen|logic|code|calculation|config|file)s?\\b)`,
      "i",
    ),
    // Matched from the determiner (what comes before is looked behind at).
    words: ["the", "any", "a", "some"],
    weight: 2,
  },
];
