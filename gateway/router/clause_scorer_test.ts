import { assertEquals } from "@shared/testing/asserts.ts";
import { CODING_LEXICON } from "../skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "../skills/browser/browser_patterns.ts";
import { scoreClause } from "./clause_scorer.ts";

const skills = [
  { intent: "coding", patterns: [], lexicon: CODING_LEXICON },
  { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
];

Deno.test("scoreClause(): the head noun of a compound decides, the nouns before it qualify", () => {
  const s = scoreClause("add a toggle to the settings page component", skills);
  assertEquals(s.intent, "coding");
  assertEquals(s.fired.coding, ["object:toggle", "object:component", "verb:add"]);
  assertEquals(s.fired.browser, ["modifier:page"]);
  assertEquals(s.scores, { coding: 6 });
  assertEquals(s.margin, 6);
});

Deno.test("scoreClause(): spoken file names and URLs are cues", () => {
  assertEquals(scoreClause("bump the version in package json", skills).fired.coding, [
    "cue:file name",
    "verb:bump",
  ]);
  assertEquals(scoreClause("check example dot com slash status", skills).intent, "browser");
  assertEquals(scoreClause("go to localhost 3000", skills).fired.browser, [
    "cue:localhost",
    "verb:go to/on/over",
  ]);
});

Deno.test("scoreClause(): a verb without an object of its skill claims nothing", () => {
  const s = scoreClause("open the garage door", skills);
  assertEquals(s.intent, undefined);
  assertEquals(s.scores, {});
  assertEquals(s.fired.browser, ["verb:open"]);
});

Deno.test("scoreClause(): the margin is the distance to the runner-up", () => {
  const s = scoreClause("fix the login form in the signup form component", skills);
  assertEquals(s.intent, "coding");
  assertEquals(s.scores, { coding: 4, browser: 2.5 });
  assertEquals(s.margin, 1.5);
});

Deno.test("scoreClause(): a verb inside a noun phrase is no verb", () => {
  const s = scoreClause("make the search endpoint handler return a 404", skills);
  assertEquals(s.intent, "coding");
  assertEquals(s.fired.browser, undefined);
});

Deno.test("scoreClause(): a relative clause describes its noun; a noun after a modal is a verb", () => {
  const described = scoreClause(
    "write a scraper function that collects the links on a page",
    skills,
  );
  assertEquals(described.intent, "coding");
  assertEquals(described.fired.browser, ["described object:link", "described object:page"]);
  const modal = scoreClause("the website footer component should link to the privacy page", skills);
  assertEquals(modal.intent, "coding");
  assertEquals(modal.fired.browser, ["modifier:website", "object:page"]);
});

Deno.test("scoreClause(): a verb between two nouns ends the first phrase", () => {
  const s = scoreClause("make the link checker script skip mailto links", skills);
  assertEquals(s.intent, "coding");
  assertEquals(s.fired.coding, ["object:script", "verb:skip"]);
});

Deno.test("scoreClause(): named sites are web objects, dummy entries on a site are weak ones", () => {
  assertEquals(scoreClause("search stack overflow for this cors error", skills).intent, "browser");
  assertEquals(scoreClause("submitting a test message", skills).intent, "browser");
  assertEquals(scoreClause("add a test user fixture for the auth tests", skills).intent, "coding");
});

Deno.test("scoreClause(): what a how-to is about is its topic, not the work", () => {
  assertEquals(scoreClause("google how to fix a memory leak in node", skills).intent, "browser");
  assertEquals(scoreClause("search how to write a parser in rust", skills).intent, "browser");
  assertEquals(
    scoreClause("add a section on how to install to the readme", skills).intent,
    "coding",
  );
});

Deno.test("scoreClause(): a possessor is its own phrase; a strong qualifier lends its weight", () => {
  const possessed = scoreClause("check the staging site's footer", skills);
  assertEquals(possessed.intent, "browser");
  assertEquals(possessed.fired.coding, ["object:footer"]);
  const lent = scoreClause("cancel my netflix subscription", skills);
  assertEquals(lent.intent, "browser");
  assertEquals(lent.scores, { browser: 2.5 });
});
