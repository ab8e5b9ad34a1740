import { assertEquals } from "@shared/testing/asserts.ts";
import { echoSkill } from "../../skills/echo/echo_skill.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "../../skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "../../skills/browser/browser_patterns.ts";
import { type RoutableSkill, routeUtterance } from "../router.ts";
import { nouns, verbs } from "../../skill_kit/lexicon.ts";
import {
  opinionCouldApply,
  SECOND_OPINION_CONFIDENCE,
  SECOND_OPINION_MARGIN,
  secondOpinion,
} from "./second_opinion.ts";

const calendar: RoutableSkill = {
  intent: "calendar",
  patterns: [],
  lexicon: { verbs: verbs(["book"]), objects: nouns(["meeting"]) },
};
const skills: RoutableSkill[] = [
  echoSkill,
  { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON },
  { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
  calendar,
];
const known = new Set(["coding", "browser", "echo"]);
const sure = 0.875;
const opinion = (text: string, intents: string[], confidence = sure) =>
  secondOpinion(routeUtterance(text, skills), { intents, confidence }, skills, known, {
    priority: "interactive",
  });

Deno.test("secondOpinion(): a confident model routes what the lexicons left unrouted, negations left out", () => {
  const text = "the thing in the gizmo never fires, and don't touch the tests";
  assertEquals(routeUtterance(text, skills).unrouted, true);
  const r = opinion(text, ["coding"]);
  assertEquals(r.learned, { intents: ["coding"], confidence: sure, applied: true });
  assertEquals(r.unrouted, false);
  assertEquals(r.tasks.length, 1);
  assertEquals(r.tasks[0]!.intent, "coding");
  assertEquals(r.tasks[0]!.priority, "interactive");
  const clause = r.tasks[0]!.clause ?? "";
  assertEquals(clause.includes("gizmo") && !clause.includes("tests"), true, clause);
  assertEquals(r.tasks[0]!.instruction.charAt(0), clause.charAt(0).toUpperCase());
  assertEquals(r.skipped, [{
    clause: "don't touch the tests",
    reason: "negated",
    intent: "coding",
  }]);
});

Deno.test("secondOpinion(): the lexicons stand when the model is unsure, or they are sure", () => {
  const unrouted = "the thing in the gizmo never fires";
  const low = opinion(unrouted, ["coding"], SECOND_OPINION_CONFIDENCE - 0.01);
  assertEquals([low.unrouted, low.learned?.applied], [true, false]);
  const clear = "refactor the parser module in src slash parser dot ts";
  const decided = routeUtterance(clear, skills);
  assertEquals(decided.margin >= SECOND_OPINION_MARGIN, true, String(decided.margin));
  const kept = opinion(clear, ["browser"]);
  assertEquals([kept.tasks.map((t) => t.intent), kept.learned?.applied], [["coding"], false]);
});

Deno.test("secondOpinion(): never splits, never takes a command word's or an unknown skill's request", () => {
  const unrouted = "the thing in the gizmo never fires";
  assertEquals(opinion(unrouted, ["browser", "coding"]).unrouted, true);
  assertEquals(opinion(unrouted, ["echo"]).unrouted, true);
  assertEquals(opinion(unrouted, ["calendar"]).unrouted, true);
  const echo = opinion("echo hello", ["coding"]);
  assertEquals([echo.tasks.map((t) => t.intent), echo.learned?.applied], [["echo"], false]);
  const booked = opinion("book the meeting", ["coding"]);
  assertEquals(booked.tasks.map((t) => t.intent), ["calendar"]);
});

Deno.test("secondOpinion(): nothing left when every clause was negated", () => {
  const r = opinion("don't open the browser", ["coding"]);
  assertEquals([r.unrouted, r.tasks.length, r.learned?.applied], [true, 0, false]);
});

Deno.test("opinionCouldApply(): the model is asked only where its answer could change something", () => {
  const could = (text: string) => opinionCouldApply(routeUtterance(text, skills), skills, known);
  assertEquals(could("the thing in the gizmo never fires"), true);
  assertEquals(could("refactor the parser module in src slash parser dot ts"), false);
  assertEquals(could("echo hello"), false);
  assertEquals(could("book the meeting"), false);
  assertEquals(could("don't open the browser"), false);
  assertEquals(could("um, uh"), false);
  // A personal assistant's request is no skill's, however sure the model might be.
  assertEquals(could("remind me to fix the parser tomorrow"), false);
  assertEquals(could("it'd be nice if the living room was a bit warmer"), false);
});
