import { assertEquals } from "@shared/testing/asserts.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "../skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "../skills/browser/browser_patterns.ts";
import { type RoutableSkill, routeUtterance } from "./router.ts";

const skills: RoutableSkill[] = [
  { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON },
  { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
];
const intents = (text: string) => routeUtterance(text, skills).tasks.map((t) => t.intent);

Deno.test("a change verb on a definite unknown object is a code change", () => {
  assertEquals(intents("fix the failing doctest"), ["coding"]);
  assertEquals(intents("don't touch the copybooks, just update the JCL"), ["coding"]);
  const routed = routeUtterance("convert the old perl CGI", skills);
  assertEquals(routed.clauses[0]!.fired.coding?.at(-1), "unknown object");
});

Deno.test("the speaker's own things and other verbs stay unrouted", () => {
  assertEquals(intents("fix my bike"), []);
  assertEquals(intents("lower the thermostat by two degrees"), []);
});

Deno.test("a web verb done on a named place is a web task", () => {
  assertEquals(intents("submit the final grades on gradescope"), ["browser"]);
  assertEquals(intents("submit the report on monday"), []);
  assertEquals(intents("hop onto the medicare provider lookup and find the NPI number"), [
    "browser",
  ]);
  assertEquals(intents("go to the grocery store and find some milk"), []);
});

Deno.test("personal work after a visit stays on the site", () => {
  assertEquals(
    intents("sign in to the learning portal and finish the awareness module for me"),
    ["browser"],
  );
  assertEquals(intents("log into the admin panel and fix the header component"), [
    "browser",
    "coding",
  ]);
});
