/**
 * @module
 * How a match of some anchored regexes must begin, read from their source: the literal starts
 * every match has ("cancel", "yes ", "what is"...). Most utterances are requests for work, and
 * one small pattern of these starts turns them away before the command grammars (large
 * alternations, thousands of characters each) are run at all. Pure.
 *
 * The reading is conservative: where the source is not plain literals (a character class of
 * ranges, `.`, `\w`, a repeat), the starts stop growing there, and a pattern that may begin with
 * anything yields no filter. So a text the filter turns away matches none of the patterns; the
 * converse is not needed.
 */

/**
 * Literal starts of what a piece of a regex matches, each with whether it is all of that match
 * (true: what follows the piece may extend it) or only its beginning.
 */
type Starts = Map<string, boolean>;

const EMPTY = (): Starts => new Map([["", true]]);
const ANYTHING = (): Starts => new Map([["", false]]);
/** What a part only read through stands for (never looked at). */
const SKIPPED: Starts = new Map();

/** Adds a start; one known only as a beginning stays so. */
function put(set: Starts, start: string, whole: boolean): void {
  set.set(start, (set.get(start) ?? true) && whole);
}

class Reader {
  i = 0;
  constructor(readonly src: string) {}
  get done(): boolean {
    return this.i >= this.src.length;
  }
  get ch(): string {
    return this.src[this.i]!;
  }
}

/** `a|b|c` up to the closing `)` of its group (or the end). */
function alternation(r: Reader, need: boolean): Starts {
  const set: Starts = new Map();
  for (;;) {
    const alt = sequence(r, need);
    if (need) { for (const [s, whole] of alt) put(set, s, whole); }
    if (r.done || r.ch !== "|") break;
    r.i++;
  }
  return set;
}

/**
 * Elements one after another, up to `|` or `)`: a whole start takes on the next element's
 * starts. The first word is enough to turn an utterance away, so a start stops growing at its
 * first space (it stays a true beginning, and the sets stay small).
 */
function sequence(r: Reader, need: boolean): Starts {
  let acc = EMPTY();
  let growing = need;
  while (!r.done && r.ch !== "|" && r.ch !== ")") {
    // Once no start can grow, the rest is only read through, to reach the end.
    const next = quantified(r, growing);
    if (!growing) continue;
    const grown: Starts = new Map();
    for (const [a, whole] of acc) {
      if (!whole) {
        put(grown, a, false);
        continue;
      }
      for (const [b, bWhole] of next) {
        const s = a + b;
        put(grown, s, bWhole && !s.includes(" "));
      }
    }
    acc = grown;
    growing = [...acc.values()].some((whole) => whole);
  }
  return acc;
}

/** One element and its quantifier. */
function quantified(r: Reader, need: boolean): Starts {
  const atom = element(r, need);
  if (r.done) return atom;
  let min = 1;
  let max = 1;
  if (r.ch === "?") (min = 0, r.i++);
  else if (r.ch === "*") (min = 0, max = Infinity, r.i++);
  else if (r.ch === "+") (max = Infinity, r.i++);
  else if (r.ch === "{") {
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(r.src.slice(r.i));
    if (m) {
      min = Number(m[1] || 0);
      max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
      r.i += m[0].length;
    }
  }
  if (!r.done && r.ch === "?" && (min !== 1 || max !== 1)) r.i++; // lazy
  if (min === 1 && max === 1 || !need) return atom;
  const set: Starts = new Map();
  // Repeated, a start may be followed by another: only a beginning then.
  for (const [s, whole] of atom) put(set, s, whole && max === 1);
  if (min === 0) put(set, "", true);
  return set;
}

function element(r: Reader, need: boolean): Starts {
  const c = r.ch;
  if (c === "(") return group(r, need);
  if (!need) {
    // Only stepped over: the same width as read below, with nothing made.
    if (c === "[") charClass(r);
    else r.i += c === "\\" ? 2 : 1;
    return SKIPPED;
  }
  if (c === "[") return charClass(r);
  if (c === "\\") {
    const e = r.src[r.i + 1] ?? "";
    r.i += 2;
    if (e === "b" || e === "B") return EMPTY(); // a zero-width check: ignoring it only widens
    if (/[dDwWsSpPuxck0-9]/.test(e)) return ANYTHING();
    return new Map([[e, true]]); // an escaped literal: \. \/ \-
  }
  r.i++;
  if (c === "^" || c === "$") return EMPTY();
  if (c === ".") return ANYTHING();
  return new Map([[c, true]]);
}

function group(r: Reader, need: boolean): Starts {
  r.i++; // (
  let lookaround = false;
  if (r.ch === "?") {
    const kind = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(r.src.slice(r.i))?.[0] ?? "?:";
    lookaround = kind === "?=" || kind === "?!" || kind === "?<=" || kind === "?<!";
    r.i += kind.length;
  }
  const inner = alternation(r, need && !lookaround);
  r.i++; // )
  return lookaround ? EMPTY() : inner;
}

/** `[sz]`: each letter; anything else (ranges, escapes, negation) may start with anything. */
function charClass(r: Reader): Starts {
  const m = /^\[((?:\\.|[^\]\\])*)\]/.exec(r.src.slice(r.i));
  if (!m) {
    r.i = r.src.length;
    return ANYTHING();
  }
  r.i += m[0].length;
  const body = m[1]!;
  if (/^[^\\^\-\]]+$/.test(body)) return new Map([...body].map((ch) => [ch, true]));
  return ANYTHING();
}

/** The starts every match of `pattern` has at index 0 (the pattern is anchored with `^`). */
export function literalStarts(pattern: RegExp): string[] {
  const r = new Reader(pattern.source);
  const starts = alternation(r, true);
  // Unbalanced: not understood, so no filter.
  if (!r.done) return [""];
  return [...starts.keys()];
}

/**
 * A pattern every match of any of `patterns` (each anchored at the start) matches at the start
 * of the same text, or undefined when one of them may begin with anything. Case as given.
 */
export function startsFilter(patterns: readonly RegExp[]): RegExp | undefined {
  const all = new Set<string>();
  for (const p of patterns) {
    if (!p.source.startsWith("^") || p.flags.includes("i") || p.flags.includes("m")) {
      return undefined;
    }
    for (const s of literalStarts(p)) all.add(s);
  }
  if (all.has("")) return undefined;
  // A start that begins with another adds nothing: keep the shortest of each family.
  const sorted = [...all].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const kept: string[] = [];
  for (const s of sorted) if (!kept.some((k) => s.startsWith(k))) kept.push(s);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^(?:${kept.map(escape).join("|")})`);
}
