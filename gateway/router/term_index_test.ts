import { assertEquals } from "@shared/testing/asserts.ts";
import type { LexiconTerm, SkillLexicon } from "../skill_kit/lexicon.ts";
import { nouns, verbs } from "../skill_kit/lexicon.ts";
import { createSkillSet } from "../skills/registry.ts";
import { loadEvalSet } from "./eval/router_eval.ts";
import { type RoutableSkill, routeUtterance } from "./router.ts";
import { lexiconIndex } from "./term_index.ts";

/** What the index must reproduce: a term is tried when some word starts with its prefix. */
const naive = (terms: readonly LexiconTerm[], words: readonly string[]) =>
  terms.flatMap((t, i) => !t.prefix || words.some((w) => w.startsWith(t.prefix!)) ? [i] : []);

Deno.test("the index keeps exactly the terms whose prefix starts a word, per list in order", () => {
  const lexicon: SkillLexicon = {
    verbs: verbs(["update", "log in/into", "copy", "fix"]),
    strongVerbs: verbs(["refactor", "upgrade"]),
    objects: nouns(["page", "pull request", "up", "e-mail", "component", "updater"]),
    cues: [{ name: "anywhere", pattern: /\bdot\s+env\b/i }, ...nouns(["config file"])],
  };
  const lists = [lexicon.objects, lexicon.cues!, lexicon.verbs, lexicon.strongVerbs!];
  const cases = [
    [],
    ["update", "the", "page"],
    ["copying", "pages", "upd", "upgrading"],
    ["logged", "into", "the", "pull", "requests", "up"],
    ["compo", "com", "e", "mail", "fixes", "fix", "configs"],
    ["refactored", "x", "y"],
  ];
  for (const words of cases) {
    assertEquals(
      lexiconIndex(lexicon).candidates(words),
      lists.map((terms) => naive(terms, words)),
      words.join(" "),
    );
  }
  // Called again, it starts afresh (no term is left marked from the call before).
  assertEquals(lexiconIndex(lexicon).candidates(["page"])[0], naive(lexicon.objects, ["page"]));
});

Deno.test("a term list grown or replaced after it was indexed is indexed again", () => {
  const lexicon: SkillLexicon = { verbs: verbs(["open"]), objects: nouns(["page"]) };
  assertEquals(lexiconIndex(lexicon).candidates(["visit"]), [[], [], [], []]);
  (lexicon.verbs as LexiconTerm[]).push(...verbs(["visit"]));
  assertEquals(lexiconIndex(lexicon).candidates(["visit"]), [[], [], [1], []]);
  assertEquals(lexiconIndex(lexicon).patterns[2]![1]!.flags, "gi");
  lexicon.strongVerbs = verbs(["browse"]);
  assertEquals(lexiconIndex(lexicon).candidates(["browsing"]), [[], [], [], [0]]);
});

/** The same lexicon with no prefixes: every pattern runs on every clause (the reference). */
function unindexed(lexicon: SkillLexicon): SkillLexicon {
  const all = (terms: readonly LexiconTerm[]) =>
    terms.map(({ prefix: _prefix, ...term }): LexiconTerm => term);
  return {
    ...lexicon,
    verbs: all(lexicon.verbs),
    objects: all(lexicon.objects),
    ...(lexicon.strongVerbs ? { strongVerbs: all(lexicon.strongVerbs) } : {}),
    ...(lexicon.cues ? { cues: all(lexicon.cues) } : {}),
  };
}

function reference(skill: RoutableSkill): RoutableSkill {
  const copy: RoutableSkill = Object.create(Object.getPrototypeOf(skill));
  return Object.assign(copy, skill, skill.lexicon ? { lexicon: unindexed(skill.lexicon) } : {});
}

Deno.test("routing decides every utterance as running every term's pattern would", async () => {
  const set = createSkillSet();
  try {
    const shipped = set.registered;
    const slow = shipped.map(reference);
    const texts = (await loadEvalSet()).map((item) => item.text);
    // Every term said on its own and in a sentence, and every utterance shouted: the word
    // lists change, and each of their terms must be found whatever the case.
    for (const skill of shipped) {
      const l = skill.lexicon;
      if (!l) continue;
      for (const t of [...l.verbs, ...(l.strongVerbs ?? []), ...l.objects, ...(l.cues ?? [])]) {
        const said = t.name.replaceAll("/", " ");
        texts.push(said, `please ${said} the page`, `the ${said} is broken, ${said} it`);
      }
    }
    texts.push(...texts.map((t) => t.toUpperCase()));
    let routed = 0;
    for (const text of texts) {
      const fast = routeUtterance(text, shipped);
      assertEquals(fast, routeUtterance(text, slow), text);
      if (fast.tasks.length) routed++;
    }
    // The comparison means something only if most of them route somewhere.
    assertEquals(routed > texts.length / 2, true, `${routed} of ${texts.length} routed`);
  } finally {
    await set.close();
  }
});
