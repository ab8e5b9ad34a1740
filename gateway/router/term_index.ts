/**
 * @module
 * Which lexicon terms may match a clause, without trying them all. A term's `prefix` is the start
 * of the first word of any match it can make (see `skill_kit/lexicon.ts`), so only the terms
 * whose prefix starts one of the clause's words need their pattern run. The prefixes sit in a
 * trie, walked once per word: a clause of ten words costs a few dozen lookups whatever the size
 * of the lexicon, instead of a `startsWith` per word and term. Terms without a prefix are always
 * candidates. The result is exactly the set that `words.some((w) => w.startsWith(prefix))` keeps,
 * in the lexicon's order, so no decision depends on the index.
 */
import type { LexiconTerm } from "../skill_kit/lexicon.ts";

interface TrieNode {
  next: Map<number, TrieNode>;
  /** Indices of the terms whose prefix ends here. */
  terms: number[];
}

const trieNode = (): TrieNode => ({ next: new Map(), terms: [] });

/** A term list, indexed by prefix, with each pattern compiled once for scanning a clause. */
export class TermIndex {
  readonly terms: readonly LexiconTerm[];
  /** How many terms the list had when indexed. */
  readonly size: number;
  /** `terms[i].pattern` with the `g` flag, to find every match in a clause. */
  readonly patterns: readonly RegExp[];
  readonly #root = trieNode();
  readonly #always: number[] = [];
  /** `#seen[i] === #stamp`: term i is already a candidate of the current call. */
  readonly #seen: Uint32Array;
  #stamp = 0;

  constructor(terms: readonly LexiconTerm[]) {
    this.terms = terms;
    this.size = terms.length;
    this.patterns = terms.map((t) => globalPattern(t.pattern));
    this.#seen = new Uint32Array(terms.length);
    terms.forEach((term, i) => {
      if (!term.prefix) {
        this.#always.push(i);
        return;
      }
      let node = this.#root;
      for (let c = 0; c < term.prefix.length; c++) {
        const code = term.prefix.charCodeAt(c);
        let child = node.next.get(code);
        if (!child) node.next.set(code, child = trieNode());
        node = child;
      }
      node.terms.push(i);
    });
  }

  /** Indices (ascending) of the terms that may match a clause of these lower-case words. */
  candidates(words: readonly string[]): number[] {
    const out = this.#always.slice();
    if (++this.#stamp === 0xffffffff) {
      this.#seen.fill(0);
      this.#stamp = 1;
    }
    const stamp = this.#stamp;
    let added = false;
    for (const word of words) {
      let node: TrieNode | undefined = this.#root;
      for (let c = 0; c < word.length; c++) {
        node = node.next.get(word.charCodeAt(c));
        if (!node) break;
        for (const i of node.terms) {
          if (this.#seen[i] === stamp) continue;
          this.#seen[i] = stamp;
          out.push(i);
          added = true;
        }
      }
    }
    // Found word by word: put them back in the lexicon's order, which ties are settled by.
    if (added) out.sort((a, b) => a - b);
    return out;
  }
}

/** A copy of `pattern` that finds every match (`g`), keeping its other flags. */
export function globalPattern(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace("g", "") + "g");
}

const indexes = new WeakMap<readonly LexiconTerm[], TermIndex>();

/** The index of a term list, built on first use (lexicons are built once, at start-up). */
export function termIndex(terms: readonly LexiconTerm[]): TermIndex {
  let index = indexes.get(terms);
  // A list grown since (terms added at run time) is indexed again.
  if (!index || index.size !== terms.length) {
    index = new TermIndex(terms);
    indexes.set(terms, index);
  }
  return index;
}
