import { assertEquals } from "@shared/testing/asserts.ts";
import { nouns, verbs } from "../skill_kit/lexicon.ts";
import { type NamedHit, objectTerm } from "./object_term.ts";

Deno.test("a hit's object term is its skill's object of that name, kept on the hit", () => {
  const page = { ...nouns(["page"])[0]!, topic: true };
  const skills = [
    { intent: "echo" },
    { intent: "browser", lexicon: { verbs: verbs(["open"]), objects: [page] } },
  ];
  const hit: NamedHit = { intent: "browser", name: "page" };
  assertEquals(objectTerm(skills, hit), page);
  assertEquals(hit.object, page);
  // A cue or a verb of the same skill names no object; nor does a skill without a lexicon.
  const cue: NamedHit = { intent: "browser", name: "open" };
  assertEquals(objectTerm(skills, cue), undefined);
  assertEquals(cue.object, null);
  assertEquals(objectTerm(skills, { intent: "echo", name: "page" }), undefined);
  // What was found is answered again without looking.
  assertEquals(objectTerm([], hit), page);
});
