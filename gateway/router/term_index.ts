/**
 * @module
 * Which lexicon terms may match a clause, without trying them all. Terms built by `verbs`/`nouns`
 * know the whole words any match of theirs starts with (`words`) and literal text inside every
 * match (`requires`); a hand-written term may give only a `prefix` of its first word, or its
 * `words`, or texts one of which is in every match (`requiresOne`; see `skill_kit/lexicon.ts`). Whole words sit in a map and prefixes in a trie, each looked up once per
 * clause word, so a clause of ten words costs a few dozen lookups whatever the size of the
 * lexicon. Terms declaring neither are always tried. Per list, the result is exactly the terms
 * that pass {@linkcode mayMatch}, in the list's order. A term declaring `words` is then tried only
 * where one of them starts (see `sticky`). No decision depends on the index.
 */
import type { LexiconTerm, SkillLexicon } from "../skill_kit/lexicon.ts";

interface TrieNode {
  next: Map<number, TrieNode>;
  /** `[list, index]` pairs, flattened, of the terms whose prefix ends here. */
  terms: number[];
}

const trieNode = (): TrieNode => ({ next: new Map(), terms: [] });

/** A clause as the index reads it: its words (ASCII letters and digits, lower-case) and text. */
export interface ClauseWords {
  words: readonly string[];
  /** Where each word starts in `text`. */
  starts: readonly number[];
  /** The clause in lower case, where `requires` is looked for. */
  lower: string;
  /** The clause as said, where the always-tried patterns are tried. */
  text: string;
  /** Each word's id among the words seen lately (see {@linkcode wordId}), of `generation`. */
  ids?: readonly number[];
  generation?: number;
}

/** Words seen lately, numbered: each index keeps its terms per number, so a word is hashed once. */
let wordIds = new Map<string, number>();
/** Bumped when the numbers are dealt afresh. */
let idGeneration = 0;

/** The number of a word among those seen lately. */
function wordId(word: string): number {
  let id = wordIds.get(word);
  if (id === undefined) {
    if (wordIds.size >= WORDS_KEPT) {
      wordIds = new Map();
      idGeneration++;
    }
    wordIds.set(word, id = wordIds.size);
  }
  return id;
}

/** Whether a UTF-16 code unit is an ASCII letter or digit (what `/[a-z0-9]/i` matches). */
function wordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** Reads a clause's words once, for every lexicon it is scored against. */
export function clauseWords(text: string): ClauseWords {
  // Words from the clause as said: lower-casing first would make a word of "\u212a" (Kelvin),
  // which no ASCII pattern letter matches. Scanned by hand: a regex costs more on every request.
  const words: string[] = [];
  const starts: number[] = [];
  const ids: number[] = [];
  const generation = idGeneration;
  for (let i = 0; i < text.length;) {
    if (!wordChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (++i < text.length && wordChar(text.charCodeAt(i)));
    const word = text.slice(start, i).toLowerCase();
    words.push(word);
    starts.push(start);
    ids.push(wordId(word));
  }
  // Numbers dealt afresh midway: none kept (the words are looked up by text).
  return idGeneration === generation
    ? { words, starts, lower: text.toLowerCase(), text, ids, generation }
    : { words, starts, lower: text.toLowerCase(), text };
}

/**
 * Whether a term may match the clause by what it declares: one of its `words` is a word of the
 * clause (else its `prefix` starts one), all its `requires` and one of its `requiresOne` are in the
 * text. Always true for a term declaring none.
 */
export function mayMatch(term: LexiconTerm, clause: ClauseWords): boolean {
  const opens = opensOf(term);
  const first = !opens ||
    clause.words.some((w) =>
      opens.words.includes(w) || opens.prefixes.some((p) => w.startsWith(p))
    );
  return first && (term.requires ?? []).every((r) => clause.lower.includes(r)) &&
    (!term.requiresOne || term.requiresOne.some((r) => clause.lower.includes(r)));
}

/** How a match of a hand-written pattern opens: whole first words, or starts of one. */
export interface Opening {
  words: string[];
  prefixes: string[];
}

/**
 * For a hand-written pattern that declares nothing, the first words its matches open with, read
 * from its source when every way it can match opens with `\b` and plain letters: whole words when
 * a space or `\b` follows them (`\b(?:search|look up)\s+how|\bonline\b` → search, look, online),
 * else the start of one (`\bcolou?r` → colo). Undefined when not sure.
 */
export function opening(pattern: RegExp): Opening | undefined {
  // With /u, case folding reaches past ASCII ("\u212a" is a "k").
  if (/[uv]/.test(pattern.flags)) return undefined;
  const src = pattern.source;
  /** Letters found, and whether the word ends there (open: when what follows the group says). */
  const found: { text: string; ends: "yes" | "no" | "open" }[] = [];
  let pos = 0;
  /** Whether what is at `at` ends a word: a space, `\s` or `\b`; open: `|`, `)` (ask further). */
  const endsAt = (at: number): "yes" | "no" | "open" => {
    const width = src[at] === " " ? 1 : /^\\[sb]/.test(src.slice(at, at + 2)) ? 2 : 0;
    // Only a separator that must be there ("local\s?host" may run on in one word).
    if (width) return /^[?*{]/.test(src.slice(at + width, at + width + 1)) ? "no" : "yes";
    return src[at] === "|" || src[at] === ")" ? "open" : "no";
  };
  /** The alternatives from `pos` up to the `)` closing their group (or the end); false: unsure. */
  const alternatives = (top: boolean): boolean => {
    for (;;) {
      if (top) {
        if (!src.startsWith("\\b", pos)) return false;
        pos += 2;
      }
      if (!head()) return false;
      // Past the rest of this alternative.
      for (let depth = 0; pos < src.length; pos++) {
        const c = src[pos]!;
        if (c === "\\") pos++;
        else if (c === "[") {
          while (pos < src.length && src[pos] !== "]") pos += src[pos] === "\\" ? 2 : 1;
        } else if (c === "(") depth++;
        else if (c === ")" && depth-- === 0) break;
        else if (c === "|" && depth === 0) break;
      }
      if (src[pos] !== "|") return top ? pos >= src.length : src[pos] === ")";
      pos++;
    }
  };
  /** The letters one alternative opens with, or a group of alternatives doing so. */
  const head = (): boolean => {
    if (src.startsWith("(?:", pos)) {
      const from = found.length;
      pos += 3;
      if (!alternatives(false)) return false;
      pos++;
      // An optional group may be skipped.
      if (/^[?*{]/.test(src.slice(pos, pos + 1))) return false;
      // A repeated group goes on with more letters.
      const after = src[pos] === "+" ? "no" : endsAt(pos);
      for (const f of found.slice(from)) if (f.ends === "open") f.ends = after;
      return true;
    }
    const run = /^[a-z0-9]+/i.exec(src.slice(pos))?.[0] ?? "";
    const next = pos + run.length;
    // A quantifier after the run makes its last letter optional.
    if (/^[?*+{]/.test(src.slice(next, next + 1))) {
      if (run.length < 2) return false;
      found.push({ text: run.slice(0, -1).toLowerCase(), ends: "no" });
      return true;
    }
    if (!run) return false;
    found.push({ text: run.toLowerCase(), ends: endsAt(next) });
    return true;
  };
  if (!alternatives(true)) return undefined;
  // Open at the very end: the match may end inside a word.
  return {
    words: [...new Set(found.filter((f) => f.ends === "yes").map((f) => f.text))],
    prefixes: [...new Set(found.filter((f) => f.ends !== "yes").map((f) => f.text))],
  };
}

/** What a term's matches open with: as it declares, else as its pattern says. */
export function opensOf(term: LexiconTerm): Opening | undefined {
  if (term.words) return { words: [...term.words], prefixes: [] };
  if (term.prefix) return { words: [], prefixes: [term.prefix] };
  return opening(term.pattern);
}

/** Term lists indexed together by first word, with each pattern compiled once for scanning. */
export class TermIndex {
  readonly lists: readonly (readonly LexiconTerm[])[];
  /** How many terms each list had when indexed. */
  readonly sizes: readonly number[];
  /** `lists[l][i].pattern` with the `g` flag, to find every match in a clause. */
  readonly patterns: readonly (readonly RegExp[])[];
  /**
   * What the matches of `lists[l][i]` open with, when they open with a whole word of the clause
   * (terms declaring `words`, and hand-written ones read by {@linkcode opening}).
   */
  readonly opens: readonly (readonly (Opening | undefined)[])[];
  /** `lists[l][i].pattern` sticky (`y`) where `opens` is known: tried only where such words start. */
  readonly sticky: readonly (readonly (RegExp | undefined)[])[];
  readonly #root = trieNode();
  readonly #exact = new Map<string, number[]>();
  /** `lists[l][i].requires`, read without going through the term. */
  readonly #requires: (readonly string[] | undefined)[][];
  /** `lists[l][i].requiresOne`, likewise. */
  readonly #requiresOne: (readonly string[] | undefined)[][];
  readonly #always: number[][];
  /** Per list, whether any always-tried term of it requires text. */
  readonly #alwaysRequire: boolean[];
  /** `#seen[l][i] === #stamp`: term i of list l is already settled for the current call. */
  readonly #seen: Uint32Array[];
  /** `#at[l][i]`: bit k set when word k of the current clause (k < 32) may open a match of it. */
  readonly #at: Uint32Array[];
  #stamp = 0;

  constructor(lists: readonly (readonly LexiconTerm[])[]) {
    this.lists = lists;
    this.sizes = lists.map((terms) => terms.length);
    this.patterns = lists.map((terms) => terms.map((t) => globalPattern(t.pattern)));
    // A declared prefix promises less: only that the first word starts so.
    this.opens = lists.map((terms) =>
      terms.map((t) => t.prefix && !t.words ? undefined : opensOf(t))
    );
    this.sticky = lists.map((terms, l) =>
      terms.map((t, i) =>
        this.opens[l]![i]
          ? new RegExp(t.pattern.source, t.pattern.flags.replace(/[gy]/g, "") + "y")
          : undefined
      )
    );
    this.#requires = lists.map((terms) => terms.map((t) => t.requires));
    this.#requiresOne = lists.map((terms) => terms.map((t) => t.requiresOne));
    this.#seen = lists.map((terms) => new Uint32Array(terms.length));
    this.#at = lists.map((terms) => new Uint32Array(terms.length));
    this.#always = lists.map(() => []);
    lists.forEach((terms, l) =>
      terms.forEach((term, i) => {
        const opens = opensOf(term);
        if (!opens) {
          this.#always[l]!.push(i);
          return;
        }
        for (const word of new Set(opens.words)) {
          let found = this.#exact.get(word);
          if (!found) this.#exact.set(word, found = []);
          found.push(l, i);
        }
        for (const prefix of opens.prefixes) {
          let node = this.#root;
          for (let c = 0; c < prefix.length; c++) {
            const code = prefix.charCodeAt(c);
            let child = node.next.get(code);
            if (!child) node.next.set(code, child = trieNode());
            node = child;
          }
          node.terms.push(l, i);
        }
      })
    );
    this.#alwaysRequire = this.#always.map((always, l) =>
      always.some((i) =>
        lists[l]![i]!.requires !== undefined || lists[l]![i]!.requiresOne !== undefined
      )
    );
  }

  /** Whether all the text term i of list l requires (and one it requires one of) is in the clause. */
  #requiredIn(l: number, i: number, clause: ClauseWords): boolean {
    const requires = this.#requires[l]![i];
    const lower = clause.lower;
    if (requires !== undefined) {
      for (let r = 0; r < requires.length; r++) if (!lower.includes(requires[r]!)) return false;
    }
    const one = this.#requiresOne[l]![i];
    if (one === undefined) return true;
    for (let r = 0; r < one.length; r++) if (lower.includes(one[r]!)) return true;
    return false;
  }

  readonly #byWord = new Map<string, readonly number[]>();
  /** `#wordTerms` by word number, of `#byIdGeneration`. */
  #byId: (readonly number[] | undefined)[] = [];
  #byIdGeneration = 0;

  /** The terms of word `w` of the clause: by its number when it has a current one. */
  #clauseWordTerms(clause: ClauseWords, w: number): readonly number[] {
    const ids = clause.ids;
    if (ids === undefined || clause.generation !== idGeneration) {
      return this.#wordTerms(clause.words[w]!);
    }
    if (this.#byIdGeneration !== idGeneration) {
      this.#byId = [];
      this.#byIdGeneration = idGeneration;
    }
    const id = ids[w]!;
    let found = this.#byId[id];
    if (found === undefined) this.#byId[id] = found = this.#wordTerms(clause.words[w]!);
    return found;
  }

  /** `[list, index]` pairs, flattened, of the terms that start with `word` or its prefix. */
  #wordTerms(word: string): readonly number[] {
    let found = this.#byWord.get(word);
    if (found) return found;
    const terms: number[] = [...(this.#exact.get(word) ?? [])];
    let node: TrieNode | undefined = this.#root;
    for (let c = 0; c < word.length; c++) {
      node = node.next.get(word.charCodeAt(c));
      if (!node) break;
      for (const t of node.terms) terms.push(t);
    }
    found = terms;
    if (this.#byWord.size >= WORDS_KEPT) this.#byWord.clear();
    this.#byWord.set(word, found);
    return found;
  }

  /**
   * For a candidate of the last {@linkcode candidates} call with `opens`, bit k set when the
   * clause's word k may open a match (what its `opens` allows); undefined past 32 words.
   */
  openingWords(list: number, i: number, clause: ClauseWords): number | undefined {
    return clause.words.length <= 32 ? this.#at[list]![i] : undefined;
  }

  /** Whether `lists` are still the lists indexed, at the sizes indexed. */
  indexes(lists: readonly (readonly LexiconTerm[])[]): boolean {
    return lists.length === this.lists.length &&
      lists.every((terms, l) => terms === this.lists[l] && terms.length === this.sizes[l]);
  }

  /** Per list, the indices (ascending) of the terms that may match the clause. */
  candidates(clause: ClauseWords): number[][] {
    const out = this.#always.map((always, l) => {
      if (!always.length) return [];
      return this.#alwaysRequire[l]
        ? always.filter((i) => this.#requiredIn(l, i, clause))
        : always.slice();
    });
    if (++this.#stamp === 0xffffffff) {
      for (const seen of this.#seen) seen.fill(0);
      this.#stamp = 1;
    }
    const stamp = this.#stamp;
    const unsorted: boolean[] = [];
    for (let w = 0; w < clause.words.length; w++) {
      const terms = this.#clauseWordTerms(clause, w);
      for (let k = 0; k < terms.length; k += 2) {
        const l = terms[k]!;
        const i = terms[k + 1]!;
        if (this.#seen[l]![i] === stamp) {
          if (w < 32) this.#at[l]![i] = this.#at[l]![i]! | (1 << w);
          continue;
        }
        this.#at[l]![i] = w < 32 ? 1 << w : 0;
        this.#seen[l]![i] = stamp;
        if (!this.#requiredIn(l, i, clause)) continue;
        const found = out[l]!;
        if (found.length && found[found.length - 1]! > i) unsorted[l] = true;
        found.push(i);
      }
    }
    // Found word by word: put them back in each list's order, which ties are settled by.
    unsorted.forEach((yes, l) => yes && out[l]!.sort((a, b) => a - b));
    return out;
  }
}

/** Words seen lately and their terms: the same few hundred words make most clauses. */
const WORDS_KEPT = 4096;
/** A copy of `pattern` that finds every match (`g`), keeping its other flags. */
export function globalPattern(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace("g", "") + "g");
}

const NO_TERMS: readonly LexiconTerm[] = [];

/** A lexicon's term lists, in the order {@linkcode lexiconIndex} indexes them. */
export function lexiconLists(lexicon: SkillLexicon): readonly (readonly LexiconTerm[])[] {
  return [
    lexicon.objects,
    lexicon.cues ?? NO_TERMS,
    lexicon.verbs,
    lexicon.strongVerbs ?? NO_TERMS,
  ];
}

const indexes = new WeakMap<SkillLexicon, TermIndex>();

/**
 * The index of one lexicon's lists (objects, cues, verbs, strong verbs), built on first use, and
 * again when a list was replaced or grown since (terms added at run time).
 */
export function lexiconIndex(lexicon: SkillLexicon): TermIndex {
  const lists = lexiconLists(lexicon);
  let index = indexes.get(lexicon);
  if (!index || !index.indexes(lists)) {
    index = new TermIndex(lists);
    indexes.set(lexicon, index);
  }
  return index;
}
