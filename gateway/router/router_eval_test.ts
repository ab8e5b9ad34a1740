import { assertEquals } from "@shared/testing/asserts.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "../skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "../skills/browser/browser_patterns.ts";
import { type RoutableSkill, routeUtterance } from "./router.ts";
import { evaluate, intentLabel, loadEvalSet } from "./eval/router_eval.ts";
import { routeHeldOut } from "./learned/held_out.ts";

const skills: RoutableSkill[] = [
  echoSkill,
  { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON },
  { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
];
const route = (text: string) => routeUtterance(text, skills).tasks.map((t) => t.intent);

Deno.test("the evaluation set has at least 200 utterances in every class it names", async () => {
  const items = await loadEvalSet();
  assertEquals(items.length >= 200, true, `${items.length} utterances`);
  const classes = new Set(items.map((i) => i.class));
  for (
    const c of [
      "filler",
      "question",
      "indirect",
      "spoken_names",
      "multi_intent",
      "negation",
      "out_of_scope",
      "web_without_open",
      "code_object_web_word",
      "edit_verbs",
    ]
  ) assertEquals(classes.has(c), true, c);
});

Deno.test("the lexicons alone reach exactly the right skills for at least 95% of the set", async () => {
  const report = evaluate(await loadEvalSet(), route);
  const misses = report.misses.map((m) => `${m.item.text} → ${intentLabel(m.got)}`).join("\n");
  assertEquals(report.overall.accuracy >= 0.95, true, `${report.overall.accuracy}\n${misses}`);
});

// The learned model is trained on the set itself, so scoring the set with it would only show
// that it remembers. Each split is scored instead by a model trained on the other splits: what
// the router does with requests its model has never seen.
// Classes are held to a lower floor than splits: the learned model cannot split a request, so
// multi-intent requests, where the lexicons miss a job, gain least from it.
Deno.test("with a model that never saw the split, the router reaches at least 95% of each split, 93% of each class", async () => {
  const items = await loadEvalSet();
  const routed = routeHeldOut(items, skills);
  const report = evaluate(items, (text) => routed.get(text)!);
  const misses = report.misses.map((m) => `${m.item.text} → ${intentLabel(m.got)}`).join("\n");
  assertEquals(report.overall.accuracy >= 0.95, true, `${report.overall.accuracy}\n${misses}`);
  for (const [split, a] of Object.entries(report.bySplit)) {
    assertEquals(a.accuracy >= 0.95, true, `${split}: ${a.accuracy}`);
  }
  for (const [cls, a] of Object.entries(report.byClass)) {
    assertEquals(a.accuracy >= 0.93, true, `${cls}: ${a.accuracy}`);
  }
});

Deno.test("evaluate() counts exact matches of the intent set and fills the confusion table", () => {
  const items = [
    { class: "a", text: "x", intents: ["coding"], split: "dev" as const },
    { class: "a", text: "y", intents: ["browser", "coding"], split: "dev" as const },
    { class: "b", text: "z", intents: [], split: "holdout" as const },
  ];
  const got: Record<string, string[]> = { x: ["coding", "coding"], y: ["coding"], z: [] };
  const report = evaluate(items, (t) => got[t]!);
  assertEquals(report.overall, { correct: 2, total: 3, accuracy: 2 / 3 });
  assertEquals(report.byClass.a, { correct: 1, total: 2, accuracy: 0.5 });
  assertEquals(report.confusion, {
    "coding": { "coding": 1 },
    "browser+coding": { "coding": 1 },
    "(none)": { "(none)": 1 },
  });
  assertEquals(report.misses.map((m) => m.item.text), ["y"]);
});
