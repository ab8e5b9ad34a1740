/**
 * @module
 * Which lexicon terms may match a clause, without trying them all. A term's `prefix` is the start
 * of the first word of any match it can make (see `skill_kit/lexicon.ts`), so only the terms
 * whose prefix starts one of the clause's words need their pattern run. The prefixes of a
 * lexicon's term lists sit in one trie, walked once per word: a clause of ten words costs a few
 * dozen lookups whatever the size of the lexicon, instead of a `startsWith` per word and term.
 * Terms without a prefix are always candidates. Per list, the result is exactly the terms that
 * `words.some((w) => w.startsWith(prefix))` keeps, in the list's order, so no decision depends
 * on the index.
 */
import type { LexiconTerm, SkillLexicon } from "../skill_kit/lexicon.ts";

interface TrieNode {
  next: Map<number, TrieNode>;
  /** `[list, index]` pairs, flattened, of the terms whose prefix ends here. */
  terms: number[];
}

const trieNode = (): TrieNode => ({ next: new Map(), terms: [] });

/** Term lists indexed together by prefix, with each pattern compiled once for scanning. */
export class TermIndex {
  readonly lists: readonly (readonly LexiconTerm[])[];
  /** How many terms each list had when indexed. */
  readonly sizes: readonly number[];
  /** `lists[l][i].pattern` with the `g` flag, to find every match in a clause. */
  readonly patterns: readonly (readonly RegExp[])[];
  readonly #root = trieNode();
  readonly #always: number[][];
  /** `#seen[l][i] === #stamp`: term i of list l is already a candidate of the current call. */
  readonly #seen: Uint32Array[];
  #stamp = 0;

  constructor(lists: readonly (readonly LexiconTerm[])[]) {
    this.lists = lists;
    this.sizes = lists.map((terms) => terms.length);
    this.patterns = lists.map((terms) => terms.map((t) => globalPattern(t.pattern)));
    this.#seen = lists.map((terms) => new Uint32Array(terms.length));
    this.#always = lists.map(() => []);
    lists.forEach((terms, l) =>
      terms.forEach((term, i) => {
        if (!term.prefix) {
          this.#always[l]!.push(i);
          return;
        }
        let node = this.#root;
        for (let c = 0; c < term.prefix.length; c++) {
          const code = term.prefix.charCodeAt(c);
          let child = node.next.get(code);
          if (!child) node.next.set(code, child = trieNode());
          node = child;
        }
        node.terms.push(l, i);
      })
    );
  }

  readonly #byWord = new Map<string, readonly number[]>();

  /** `[list, index]` pairs, flattened, of the terms whose prefix starts `word`. */
  #wordTerms(word: string): readonly number[] {
    let found = this.#byWord.get(word);
    if (found) return found;
    const terms: number[] = [];
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

  /** Whether `lists` are still the lists indexed, at the sizes indexed. */
  indexes(lists: readonly (readonly LexiconTerm[])[]): boolean {
    return lists.length === this.lists.length &&
      lists.every((terms, l) => terms === this.lists[l] && terms.length === this.sizes[l]);
  }

  /**
   * Per list, the indices (ascending) of the terms that may match a clause of these lower-case
   * words.
   */
  candidates(words: readonly string[]): number[][] {
    const out = this.#always.map((always) => always.slice());
    if (++this.#stamp === 0xffffffff) {
      for (const seen of this.#seen) seen.fill(0);
      this.#stamp = 1;
    }
    const stamp = this.#stamp;
    let added = false;
    for (const word of words) {
      const terms = this.#wordTerms(word);
      for (let k = 0; k < terms.length; k += 2) {
        const l = terms[k]!;
        const i = terms[k + 1]!;
        if (this.#seen[l]![i] === stamp) continue;
        this.#seen[l]![i] = stamp;
        out[l]!.push(i);
        added = true;
      }
    }
    // Found word by word: put them back in each list's order, which ties are settled by.
    if (added) { for (const found of out) found.sort((a, b) => a - b); }
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
