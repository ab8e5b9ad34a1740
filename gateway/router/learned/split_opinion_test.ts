import { assertEquals } from "@shared/testing/asserts.ts";
import { echoSkill } from "../../skills/echo/echo_skill.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "../../skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "../../skills/browser/browser_patterns.ts";
import { type RoutableSkill, routeUtterance } from "../router.ts";
import { type PartReader, splitCouldApply, splitOpinion } from "./split_opinion.ts";

const skills: RoutableSkill[] = [
  echoSkill,
  { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON },
  { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
];
const known = new Set(["coding", "browser", "echo"]);
/** Reads a clause as the browser's when it names the web app in `webWords`. */
const reader = (webWords: RegExp): PartReader => ({
  probabilities: (text) =>
    new Map(webWords.test(text) ? [["browser", 0.9], ["coding", 0.1]] : [["coding", 0.9]]),
});
const both = { intents: ["browser", "coding"], confidence: 0.95 };
const text = "fix the null check in the parser module and then check the zorblat thing";

Deno.test("splitOpinion(): a second job the lexicons missed is split off where the model reads it", () => {
  const lexicons = routeUtterance(text, skills);
  assertEquals(lexicons.tasks.map((t) => t.intent), ["coding"]);
  assertEquals(splitCouldApply(lexicons, skills, known), true);
  const r = splitOpinion(lexicons, both, reader(/zorblat/), skills, known, {
    priority: "interactive",
  });
  assertEquals(
    r?.tasks.map((t) => [t.intent, t.clause, t.priority]),
    [
      ["coding", "fix the null check in the parser module", "interactive"],
      ["browser", "check the zorblat thing", "interactive"],
    ],
  );
  assertEquals(r?.learned, { ...both, applied: true });
});

Deno.test("splitOpinion(): no split without two sure intents, or when every clause reads the same", () => {
  const lexicons = routeUtterance(text, skills);
  const one = { intents: ["coding"], confidence: 0.99 };
  assertEquals(splitOpinion(lexicons, one, reader(/zorblat/), skills, known), undefined);
  const unsure = { ...both, confidence: 0.6 };
  assertEquals(splitOpinion(lexicons, unsure, reader(/zorblat/), skills, known), undefined);
  assertEquals(splitOpinion(lexicons, both, reader(/nowhere/), skills, known), undefined);
  const withEcho = { intents: ["coding", "echo"], confidence: 0.99 };
  assertEquals(splitOpinion(lexicons, withEcho, reader(/zorblat/), skills, known), undefined);
});

Deno.test("splitCouldApply(): one lexical skill, and more than one clause", () => {
  const could = (t: string) => splitCouldApply(routeUtterance(t, skills), skills, known);
  assertEquals(could("refactor the parser module"), false);
  assertEquals(could("echo hello and echo bye"), false);
  assertEquals(could("the thing in the gizmo never fires"), false);
  assertEquals(could(text), true);
});
