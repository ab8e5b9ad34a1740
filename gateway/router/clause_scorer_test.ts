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
    "verb:go to/on/over/into/in",
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
  // "in the … component" is where the work happens.
  assertEquals(s.scores, { coding: 5, browser: 2.5 });
  assertEquals(s.margin, 2.5);
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
  assertEquals(s.fired.coding, [
    "cue:make it behave",
    "modifier:checker",
    "object:script",
    "verb:skip",
  ]);
});

Deno.test("scoreClause(): a verb after a noun with nothing to act on is part of the phrase", () => {
  const s = scoreClause("why does the cart badge show zero after a page refresh", skills);
  assertEquals(s.intent, "coding");
  assertEquals(s.fired.browser, ["object:page"]);
  // A participle after its object is still the action.
  assertEquals(scoreClause("i want the link checker fixed", skills).intent, "coding");
});

Deno.test("scoreClause(): what a tutorial or the docs are about is their topic", () => {
  const s = scoreClause("find me a good tutorial on web sockets", skills);
  assertEquals(s.intent, "browser");
  assertEquals(s.fired.coding, ["described object:socket"]);
  assertEquals(
    scoreClause("browse the docs for the redis client", skills).fired.coding,
    ["object:docs", "modifier:redis", "described object:client"],
  );
  // "on the …" is where, not what about.
  assertEquals(scoreClause("read the news on the bbc site", skills).fired.browser, [
    "object:news",
    "modifier:bbc",
    "location:site",
    "object:site",
    "verb:read",
  ]);
});

Deno.test("scoreClause(): the target of a link is one noun phrase, not the work", () => {
  const s = scoreClause(
    "add a link to the grafana dashboard in the monitoring section of the readme",
    skills,
  );
  assertEquals(s.intent, "coding");
  assertEquals(s.fired.browser, ["object:link", "modifier:grafana", "described object:dashboard"]);
  assertEquals(s.fired.coding, ["object:readme", "verb:add"]);
});

Deno.test("scoreClause(): a strong verb claims a qualifier of its own skill", () => {
  const s = scoreClause("look up the shopify storefront api rate limits", skills);
  assertEquals(s.intent, "browser");
  assertEquals(s.fired.browser, [
    "claimed modifier:shopify",
    "claimed modifier:storefront",
    "verb:look up",
  ]);
  // A plain verb does not: the GitHub workflow file is ours.
  assertEquals(scoreClause("update the github workflow file", skills).intent, "coding");
});

Deno.test("scoreClause(): a weak object gains nothing from a place", () => {
  const s = scoreClause("turn on dark mode on my phone", skills);
  assertEquals(s.intent, undefined);
  assertEquals(s.fired.coding, ["object:dark mode"]);
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

Deno.test("scoreClause(): a record named with a site is kept there", () => {
  const s = scoreClause("check the vercel build logs for the failed deploy", skills);
  assertEquals(s.intent, "browser");
  assertEquals(s.fired.browser, ["host:vercel", "verb:check"]);
  // Without a site the build is ours.
  assertEquals(scoreClause("fix the build", skills).intent, "coding");
});

Deno.test("scoreClause(): inside the subject a verb word is a noun, an auxiliary ends a phrase", () => {
  assertEquals(
    scoreClause("the price filter slider ought to snap to whole dollars", skills).intent,
    "coding",
  );
  assertEquals(
    scoreClause("our prometheus alert rules don't have runbook urls", skills).intent,
    "coding",
  );
});

Deno.test("scoreClause(): what is looked up is a topic", () => {
  const s = scoreClause("look up if the new version changed the default timeout", skills);
  assertEquals(s.intent, "browser");
  assertEquals(s.fired.coding, ["described object:timeout"]);
});

Deno.test("scoreClause(): what something should do is described, not done", () => {
  const s = scoreClause("the in app browser for terms should open in a sheet", skills);
  assertEquals(s.intent, "coding");
  assertEquals(s.fired.browser, undefined);
});

Deno.test("scoreClause(): a service's records need the service", () => {
  assertEquals(scoreClause("check the typeform submissions", skills).intent, "browser");
  assertEquals(scoreClause("add an event to my calendar at three", skills).intent, undefined);
  // A code qualifier of a weightless record carries it: "the server logs".
  assertEquals(scoreClause("make the server logs include the request id", skills).intent, "coding");
});

Deno.test("scoreClause(): a condition or a passive names no action", () => {
  const s = scoreClause("the dropdown for country is not closing when I click outside", skills);
  assertEquals(s.intent, "coding");
  assertEquals(s.fired.browser, undefined);
});

Deno.test("scoreClause(): a named product's published docs are read on the web", () => {
  assertEquals(scoreClause("read the changelog for tailwind four", skills).intent, "browser");
  assertEquals(scoreClause("update the changelog for the release", skills).intent, "coding");
  assertEquals(
    scoreClause("would be helpful to read what the material three docs say", skills).intent,
    "browser",
  );
});

Deno.test("scoreClause(): a wish about the product is a code change, a wish of the assistant is not", () => {
  assertEquals(
    scoreClause("it'd be cool if the admin console let you export the table as csv", skills)
      .intent,
    "coding",
  );
  assertEquals(
    scoreClause("it'd be great if you could log into the billing portal", skills).intent,
    "browser",
  );
});

Deno.test('scoreClause(): a passive or a verb after "of" is no action', () => {
  assertEquals(
    scoreClause("the postgres connection string is logged in plain text", skills).fired.browser,
    undefined,
  );
  assertEquals(
    scoreClause("the button of submit in register component not working", skills).fired.browser,
    ["object:button"],
  );
});

Deno.test("scoreClause(): a record visited is a place", () => {
  const s = scoreClause("visit the storybook deployment", skills);
  assertEquals(s.intent, "browser");
  assertEquals(s.fired.browser, ["visited object:deployment", "verb:visit"]);
  assertEquals(scoreClause("fix the deployment", skills).intent, "coding");
});

Deno.test("scoreClause(): a record in a place of another skill is kept there", () => {
  const s = scoreClause("disable the old webhook in the stripe dashboard", skills);
  assertEquals(s.intent, "browser");
  assertEquals(s.fired.coding, ["placed object:webhook", "verb:disable"]);
  assertEquals(scoreClause("add the env var to the helm chart", skills).intent, "coding");
  // A qualifier hosts a record only when it names a site: "the link preview service" is ours.
  assertEquals(
    scoreClause("the link preview service should cache og tags", skills).intent,
    "coding",
  );
  // Making one is no visit: "open a pull request with the fix".
  assertEquals(scoreClause("open a pull request with the fix", skills).intent, "coding");
});

Deno.test("scoreClause(): product facts asked about are looked up", () => {
  assertEquals(scoreClause("when did postgres sixteen come out", skills).intent, "browser");
  assertEquals(
    scoreClause("any idea what the latest angular version is", skills).intent,
    "browser",
  );
  assertEquals(
    scoreClause("is the conference schedule for react advanced out yet", skills).intent,
    "browser",
  );
  // What a guide is for is not done: "migrating" is its topic.
  assertEquals(
    scoreClause("is there an official guide for migrating from webpack to vite", skills).intent,
    "browser",
  );
  assertEquals(scoreClause("bump to the latest angular version", skills).intent, "coding");
});

Deno.test("scoreClause(): an unknown verb ends a compound, a noun before a pronoun is a verb", () => {
  assertEquals(
    scoreClause("do you know if the vercel free tier includes cron jobs", skills).intent,
    "browser",
  );
  assertEquals(scoreClause("test it", skills).intent, undefined);
});

Deno.test("scoreClause(): a verb acting on everyday writing asks no skill", () => {
  for (
    const text of [
      "write a poem about kubernetes",
      "write me an email to my landlord",
      "add a reminder to call the bank",
      "write a cover letter for a backend job",
      "add milk to my shopping list",
    ]
  ) assertEquals(scoreClause(text, skills).intent, undefined, text);
  assertEquals(scoreClause("write the welcome email template", skills).intent, "coding");
  assertEquals(scoreClause("add a joke endpoint to the api", skills).intent, "coding");
});

Deno.test("scoreClause(): a question about how we do things leans to code", () => {
  assertEquals(scoreClause("why do we have two user tables", skills).intent, "coding");
  assertEquals(scoreClause("how do we get to the office", skills).intent, undefined);
});
