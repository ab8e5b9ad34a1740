import { assertEquals } from "@shared/testing/asserts.ts";
import type { LexiconTerm, SkillLexicon } from "../skill_kit/lexicon.ts";
import { nouns, verbs } from "../skill_kit/lexicon.ts";
import { createSkillSet } from "../skills/registry.ts";
import { loadEvalSet } from "./eval/router_eval.ts";
import { type RoutableSkill, routeUtterance } from "./router.ts";
import { clauseWords, lexiconIndex, mayMatch, opening } from "./term_index.ts";

/**
 * What the index must reproduce: a term is tried when one of its words is a word of the clause
 * (else its prefix starts one; else one of the words its pattern opens with is one, or one of the
 * starts of words it opens with starts one), all it requires is in the clause and, when it
 * requires one of several texts, one of them is.
 */
const naive = (terms: readonly LexiconTerm[], text: string) => {
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  return terms.flatMap((t, i) => {
    const opens = opening(t.pattern);
    return (t.words
        ? t.words.some((w) => words.includes(w))
        : t.prefix
        ? words.some((w) => w.startsWith(t.prefix!))
        : opens
        ? words.some((w) => opens.words.includes(w) || opens.prefixes.some((p) => w.startsWith(p)))
        : true) &&
        (t.requires ?? []).every((r) => text.toLowerCase().includes(r)) &&
        (!t.requiresOne || t.requiresOne.some((r) => text.toLowerCase().includes(r)))
      ? [i]
      : [];
  });
};

Deno.test("a hand-written pattern's first words are read only when every match opens so", () => {
  assertEquals(opening(/\b(?:search(?: for)?|look up)\s+how|\bonline\b/i), {
    words: ["look", "online"],
    prefixes: ["search"],
  });
  assertEquals(opening(/\bi'?d love|\bcolou?r|\bwhen\b/i), {
    words: ["when"],
    prefixes: ["i", "colo"],
  });
  assertEquals(opening(/\b(?:x(?:y|z)|w)\b/i), { words: ["w"], prefixes: ["x"] });
  assertEquals(opening(/\b(?:on|at)(?:\s+the)?/i), { words: [], prefixes: ["on", "at"] });
  assertEquals(opening(/\b(?:ab)+c/i), { words: [], prefixes: ["ab"] });
  assertEquals(opening(/\blocal\s?host|\bweb *page/i), { words: [], prefixes: ["local", "web"] });
  // An optional opening, a class, a letter without \b before it, or /u folding: not sure.
  for (const p of [/\b(?:www\.)?host/i, /\b[a-z]+ dot com/i, /\bfoo|bar/i, /\bk/iu, /(?<=a )b/]) {
    assertEquals(opening(p), undefined, p.source);
  }
});

Deno.test("built terms declare the whole first words and the text of every match", () => {
  const [pr] = nouns(["pull request"]);
  assertEquals(pr!.words, ["pull", "pullrequest", "pullrequests", "pullrequestes"]);
  assertEquals(pr!.requires, ["request"]);
  const [dep] = nouns(["dependency"]);
  assertEquals(dep!.words, ["dependency", "dependencys", "dependencyes", "dependencies"]);
  assertEquals(dep!.requires, undefined);
  const [login] = verbs(["log in/into"]);
  assertEquals(login!.words, ["log", "logs", "loges", "loged", "loging", "logging", "logged"]);
  assertEquals(login!.requires, ["in"]);
  assertEquals(nouns(["e-mail"])[0]!.words, ["e"]);
  assertEquals(nouns([".env file"])[0]!.words, undefined);
});

Deno.test("the index keeps exactly the terms whose prefix starts a word, per list in order", () => {
  const lexicon: SkillLexicon = {
    verbs: verbs(["update", "log in/into", "copy", "fix"]),
    strongVerbs: verbs(["refactor", "upgrade"]),
    objects: nouns(["page", "pull request", "up", "e-mail", "component", "updater"]),
    cues: [
      { name: "anywhere", pattern: /\bdot\s+env\b/i },
      { name: "also anywhere", pattern: /\bnpmrc\b/i },
      { name: "truly anywhere", pattern: /\.env\b/i },
      ...nouns(["config file"]),
      { name: "by prefix", pattern: /\bgithub action\b/i, prefix: "github" },
      { name: "one of", pattern: /\b(?:dot\s*|\.)env\b/i, requiresOne: ["dot", "."] },
      {
        name: "one of, by word",
        pattern: /\bthe\s+(?:page|form)\b/i,
        words: ["the"],
        requiresOne: ["page", "form"],
      },
    ],
  };
  const lists = [lexicon.objects, lexicon.cues!, lexicon.verbs, lexicon.strongVerbs!];
  const cases = [
    "",
    "update the page",
    "copying pages upd upgrading",
    "logged into the pull requests up",
    "Logged INTO the PullRequest, up",
    "compo com e mail fixes fix configs",
    "the e-mail, the dot env and the config-file",
    "refactored x y",
    "updaters and the githubaction of github actions",
    "the npmrc",
    "the .env and the dot env",
    "the env and the forms",
    "dotenv, the Page",
    "the thing",
  ];
  for (const text of cases) {
    assertEquals(
      lexiconIndex(lexicon).candidates(clauseWords(text)),
      lists.map((terms) => naive(terms, text)),
      text,
    );
  }
  // Called again, it starts afresh (no term is left marked from the call before).
  assertEquals(
    lexiconIndex(lexicon).candidates(clauseWords("page"))[0],
    naive(lexicon.objects, "page"),
  );
});

Deno.test("a term list grown or replaced after it was indexed is indexed again", () => {
  const lexicon: SkillLexicon = { verbs: verbs(["open"]), objects: nouns(["page"]) };
  assertEquals(lexiconIndex(lexicon).candidates(clauseWords("visit")), [[], [], [], []]);
  (lexicon.verbs as LexiconTerm[]).push(...verbs(["visit"]));
  assertEquals(lexiconIndex(lexicon).candidates(clauseWords("visit")), [[], [], [1], []]);
  assertEquals(lexiconIndex(lexicon).patterns[2]![1]!.flags, "gi");
  lexicon.strongVerbs = verbs(["browse"]);
  assertEquals(lexiconIndex(lexicon).candidates(clauseWords("browsing")), [[], [], [], [0]]);
});

/** The same lexicon declaring nothing: every pattern runs on every clause (the reference). */
function unindexed(lexicon: SkillLexicon): SkillLexicon {
  const all = (terms: readonly LexiconTerm[]) =>
    terms.map(({ prefix: _p, words: _w, requires: _r, requiresOne: _o, ...term }): LexiconTerm => ({
      ...term,
      // The same pattern, opening so that no first letters can be read from it.
      pattern: new RegExp(`(?:)${term.pattern.source}`, term.pattern.flags),
    }));
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

Deno.test("the reference runs every pattern on every clause", () => {
  const lexicon = unindexed({
    verbs: verbs(["open"]),
    objects: nouns(["page"]),
    cues: [{ name: "web", pattern: /\bonline\b/i }],
  });
  assertEquals(lexiconIndex(lexicon).candidates(clauseWords("nothing here")), [[0], [0], [0], []]);
});

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
    // Past 32 words a clause's words are looked at again for each term.
    texts.push(
      Array(5).fill("fix the localhost dashboard with the pull request on GitHub dot com").join(
        " ",
      ),
    );
    texts.push(...texts.map((t) => t.toUpperCase()));
    // What each term declares holds of every match it makes in any of them.
    for (const skill of shipped) {
      const l = skill.lexicon;
      if (!l) continue;
      for (const t of [...l.verbs, ...(l.strongVerbs ?? []), ...l.objects, ...(l.cues ?? [])]) {
        for (const text of texts) {
          if (t.pattern.test(text)) assertEquals(mayMatch(t, clauseWords(text)), true, text);
        }
      }
    }
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

Deno.test("words are found by text when the numbers of words seen lately are dealt afresh", () => {
  const lexicon: SkillLexicon = { verbs: verbs(["update"]), objects: nouns(["page"]) };
  const lists = [lexicon.objects, [], lexicon.verbs, []];
  // More new words than are kept: the numbering starts over while this clause is read.
  const many = Array.from({ length: 5000 }, (_, i) => `w${i}x`).join(" ");
  const long = clauseWords(`${many} update the page`);
  assertEquals(long.ids, undefined);
  assertEquals(
    lexiconIndex(lexicon).candidates(long),
    lists.map((terms) => naive(terms, "update the page")),
  );
  // And the clauses after it are numbered again, and found so.
  const short = clauseWords("update pages");
  assertEquals(short.ids?.length, 2);
  assertEquals(
    lexiconIndex(lexicon).candidates(short),
    lists.map((terms) => naive(terms, "update pages")),
  );
});
