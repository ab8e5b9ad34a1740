/**
 * @module
 * A skill's routing lexicon: the action verbs it performs and the objects it acts on, with the
 * spoken forms people use ("app ts", "example dot com"). Each skill keeps its lexicon in its own
 * folder; the router (see `clause_scorer.ts`) decides a clause by what is acted on. This module
 * only builds the terms: word lists in, case-insensitive patterns with inflections out.
 */

/** One named pattern; the name is what a trace shows when it fires. */
export interface LexiconTerm {
  name: string;
  pattern: RegExp;
  /** Points it adds when it fires (defaults: verbs 2, objects 2, cues 3). */
  weight?: number;
  /**
   * Lower-case start of the first word of every match: a clause with no word starting so is
   * skipped without running the pattern (routing runs on every request).
   */
  prefix?: string;
  /**
   * Every match starts with one of these lower-case words, whole (a word: a run of ASCII letters
   * and digits): a clause without one is skipped, however many of its words share the prefix.
   */
  words?: readonly string[];
  /** Lower-case ASCII text inside every match: a clause without all of it is skipped too. */
  requires?: readonly string[];
  /**
   * Lower-case ASCII texts at least one of which is inside every match ("." or "dot" in a file
   * name): a clause with none of them is skipped too.
   */
  requiresOne?: readonly string[];
  /** An object that points somewhere ("link", "URL"): what follows "to" is its target. */
  pointsTo?: boolean;
  /** An object about something ("tutorial", "docs"): what follows "on"/"about"/"for" is its topic. */
  topic?: boolean;
  /**
   * A record a service keeps ("build", "deployment"): qualified by another skill's object, it is
   * that skill's ("the Vercel build logs" are read on Vercel).
   */
  hostedBy?: boolean;
  /** A named site or service ("GitHub", "Vercel"): the place that keeps `hostedBy` records. */
  named?: boolean;
  /**
   * What no skill works on ("a poem", "a reminder", "my manager"): a verb acting on it asks no
   * skill for anything ("write a poem about Kubernetes").
   */
  inert?: boolean;
}

/** The start every inflection of `word` shares: "update" → "updat", "copy" → "cop". */
function stem(word: string): string {
  return (/^[a-z0-9]+/i.exec(word)?.[0] ?? "").toLowerCase().replace(/[ey]$/, "");
}

export interface SkillLexicon {
  /** Verbs that act on this skill's objects ("update", "log into"); alone they claim nothing. */
  verbs: readonly LexiconTerm[];
  /** Verbs that name this skill's work without an object ("refactor it", "google it"). */
  strongVerbs?: readonly LexiconTerm[];
  /** Head nouns of what this skill acts on ("component", "page"). */
  objects: readonly LexiconTerm[];
  /** Self-evident objects, worth more than a noun: a file name, a URL, "on the web". */
  cues?: readonly LexiconTerm[];
  /**
   * Its verbs may act on another skill's objects: a code change can fix "the broken link" on a
   * page, while a browser cannot open "a pull request" that is code. A tie then goes to the verb.
   */
  verbsReachAnyObject?: boolean;
}

/** Inflections of a verb: "fix" → fix, fixes, fixed, fixing; "split" → splitting. */
function verbForms(word: string): string[] {
  const forms = new Set([word, `${word}s`, `${word}es`, `${word}ed`, `${word}ing`]);
  if (word.endsWith("e")) {
    forms.add(`${word}d`);
    forms.add(`${word.slice(0, -1)}ing`);
  } else if (/[^aeiou][aeiou][bdgmnprt]$/.test(word)) {
    forms.add(`${word}${word.at(-1)}ing`);
    forms.add(`${word}${word.at(-1)}ed`);
  }
  if (/[^aeiou]y$/.test(word)) {
    forms.add(`${word.slice(0, -1)}ies`);
    forms.add(`${word.slice(0, -1)}ied`);
  }
  return [...forms];
}

/** Plural forms of a noun: "class" → classes, "dependency" → dependencies. */
function nounForms(word: string): string[] {
  const forms = new Set([word, `${word}s`, `${word}es`]);
  if (/[^aeiou]y$/.test(word)) forms.add(`${word.slice(0, -1)}ies`);
  return [...forms];
}

/** The first word of `text`, lower-case ("" when it opens with no letter or digit). */
const firstWord = (text: string) => (/^[a-z0-9]+/i.exec(text)?.[0] ?? "").toLowerCase();

/** What any spelling of a term starts with, as a clause's word: none when one opens without. */
function startWords(spellings: readonly string[]): { words: string[] } | Record<never, never> {
  const words = [...new Set(spellings.map(firstWord))];
  return words.includes("") ? {} : { words };
}

/** The literal text every one of `spellings` starts with, when it is plain ASCII worth a check. */
function commonStart(spellings: readonly string[]): string | undefined {
  let common = spellings[0]!.toLowerCase();
  for (const s of spellings) {
    let n = 0;
    while (n < common.length && common[n] === s[n]?.toLowerCase()) n++;
    common = common.slice(0, n);
  }
  return common.length >= 2 && /^[\x20-\x7e]+$/.test(common) ? common : undefined;
}

/** `requires` of the literals given, dropping those not worth a check. */
function requiring(literals: readonly (string | undefined)[]) {
  const requires = literals.filter((l): l is string => l !== undefined);
  return requires.length ? { requires } : {};
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const alt = (forms: string[]) => `(?:${forms.map(escape).join("|")})`;

/**
 * Verb terms from phrases: the first word is inflected, the rest follow it, separated by
 * whitespace (a word in the rest may list spellings with "/": "log in/into/on").
 */
export function verbs(phrases: readonly string[], weight?: number): LexiconTerm[] {
  return phrases.map((phrase) => {
    const [head, ...rest] = phrase.split(" ");
    const tail = rest.map((w) => `\\s+${alt(w.split("/"))}`).join("");
    const forms = verbForms(head!);
    return {
      name: phrase,
      pattern: new RegExp(`\\b${alt(forms)}${tail}\\b`, "i"),
      prefix: stem(head!),
      // Whitespace follows the head, so the head is a whole word of the clause.
      ...startWords(forms),
      ...requiring(rest.map((w) => commonStart(w.split("/")))),
      ...(weight === undefined ? {} : { weight }),
    };
  });
}

/** Noun terms from phrases: the last word takes plurals; spaces also match "-" or nothing. */
export function nouns(phrases: readonly string[], weight?: number): LexiconTerm[] {
  return phrases.map((phrase) => {
    const words = phrase.split(" ");
    const last = words.pop()!;
    const lead = words.map((w) => `${escape(w)}[\\s-]?`).join("");
    const forms = nounForms(last);
    // Words may be said joined ("pullrequest"): the first word of a match is the first k words
    // run together, or all of them with the last's plural.
    const joined = words.map((_, k) => words.slice(0, k + 1).join(""));
    return {
      name: phrase,
      pattern: new RegExp(`\\b${lead}${alt(forms)}\\b`, "i"),
      prefix: stem(words[0] ?? last),
      ...startWords([...joined, ...forms.map((f) => words.join("") + f)]),
      ...requiring(
        words.length ? [...words.slice(1).map((w) => commonStart([w])), commonStart(forms)] : [],
      ),
      ...(weight === undefined ? {} : { weight }),
    };
  });
}
