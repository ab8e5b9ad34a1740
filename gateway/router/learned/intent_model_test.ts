import { assertEquals } from "@shared/testing/asserts.ts";
import { IntentModel, labelOf } from "./intent_model.ts";

const corpus = [
  { text: "fix the failing unit test", intents: ["coding"] },
  { text: "refactor the parser module", intents: ["coding"] },
  { text: "rename the helper function in utils", intents: ["coding"] },
  { text: "add a test for the parser", intents: ["coding"] },
  { text: "check the status page of the provider", intents: ["browser"] },
  { text: "log into the admin dashboard and export users", intents: ["browser"] },
  { text: "look up the pricing page on their site", intents: ["browser"] },
  { text: "fill out the contact form on the site", intents: ["browser"] },
  { text: "set an alarm for seven", intents: [] },
  { text: "play some music", intents: [] },
  { text: "fix the parser then check the status page", intents: ["coding", "browser"] },
];

Deno.test("labelOf(): a sorted, de-duplicated set of intents; empty for none", () => {
  assertEquals(labelOf(["coding", "browser", "coding"]), "browser+coding");
  assertEquals(labelOf([]), "");
});

Deno.test("IntentModel: learns the labels of its corpus and generalises to new words around them", () => {
  const model = IntentModel.train(corpus);
  assertEquals(model.labels, ["", "browser", "browser+coding", "coding"]);
  assertEquals([...model.intents].sort(), ["browser", "coding"]);
  assertEquals(model.predict("refactor the failing test").intents, ["coding"]);
  assertEquals(model.predict("export the users from the dashboard").intents, ["browser"]);
  assertEquals(model.predict("play an alarm").intents, []);
  const sure = model.predict("fix the failing unit test");
  assertEquals(sure.confidence > 0.5 && sure.confidence <= 1, true, String(sure.confidence));
});

Deno.test("IntentModel: training is repeatable, and the seed changes the order it learns in", () => {
  const a = IntentModel.train(corpus).predict("rename the dashboard test");
  const b = IntentModel.train(corpus).predict("rename the dashboard test");
  assertEquals(a, b);
  const c = IntentModel.train(corpus, { seed: 7 }).predict("rename the dashboard test");
  assertEquals(c.confidence === a.confidence, false);
});

Deno.test("IntentModel: a text with no known feature gets the corpus's prior, not a crash", () => {
  const model = IntentModel.train(corpus);
  const p = model.predict("zzz qqq");
  assertEquals(model.labels.includes(p.intents.join("+")), true);
  assertEquals(p.confidence < 0.6, true, String(p.confidence));
});
