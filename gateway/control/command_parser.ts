/**
 * @module
 * Recognises a whole utterance that is a voice command (cancel, confirm, deny, status, retry)
 * rather than a request for work. Pure.
 *
 * Speech arrives as an ASR transcript: mixed case, stray punctuation ("Yes. Go ahead."),
 * fillers ("uh", "okay"), politeness ("could you … please") and contractions spelled either way
 * ("what's", "whats"). The text is normalised first (lower case, punctuation and fillers gone,
 * contractions expanded), then matched whole against a small grammar per action: verbs ×
 * optional object (pronoun, "the job", "the browser one") × an optional yes/no lead. Because the
 * match is whole, anything left over (a second clause asking for work, an unknown object) makes
 * the utterance work, not a command: "cancel that and open the dashboard" is routed as usual.
 */

export type ControlAction = "cancel" | "confirm" | "deny" | "status" | "retry";

export const CONTROL_ACTIONS: readonly ControlAction[] = [
  "cancel",
  "confirm",
  "deny",
  "status",
  "retry",
];

export interface ParsedCommand {
  action: ControlAction;
  /** The skill the command names ("confirm the browser one"), when it names one. */
  intent?: string;
}

export interface ParseCommandOptions {
  /**
   * Skill names a command may pick by ("cancel the coding job"). Each also answers to a few
   * everyday words for it (`browser`: web, website; `coding`: code).
   * @default ["coding", "browser", "echo"]
   */
  intents?: readonly string[];
}

/** Everyday words for a skill, beyond its own name. */
const INTENT_WORDS: Record<string, readonly string[]> = {
  browser: ["browser", "browsing", "web", "website", "web page", "page"],
  coding: ["coding", "code", "coder", "patch"],
};

/** Contractions spelled with or without the apostrophe (ASR does both), expanded. */
const CONTRACTIONS: [RegExp, string][] = [
  [/\bwhat'?s\b/g, "what is"],
  [/\bthat'?s\b/g, "that is"],
  [/\bit'?s\b/g, "it is"],
  [/\bhow'?s\b/g, "how is"],
  [/\bwhere'?s\b/g, "where is"],
  [/\bwhat'?re\b/g, "what are"],
  [/\byou'?re\b/g, "you are"],
  [/\bwe'?re\b/g, "we are"],
  [/\bdon'?t\b/g, "do not"],
  [/\bdoesn'?t\b/g, "does not"],
  [/\bcan'?t\b/g, "can not"],
  [/\bcannot\b/g, "can not"],
  [/\bwon'?t\b/g, "will not"],
  [/\blet'?s\b/g, "let us"],
  [/\bi'd\b/g, "i would"],
  [/\bwe'd\b/g, "we would"],
  [/\bi'm\b/g, "i am"],
  [/\bnevermind\b/g, "never mind"],
  [/\balright\b/g, "all right"],
  [/\bokey\b/g, "okay"],
];

/**
 * Any one of the contractions: when none is in the text, the replacements would change nothing
 * (one scan instead of one per contraction).
 */
const ANY_CONTRACTION = new RegExp(CONTRACTIONS.map(([re]) => re.source).join("|"));

/** Said around a command without changing it; removed wherever they stand. */
const FILLER_PHRASES = [
  "all right",
  "thank you",
  "you know",
  "i mean",
  "i said",
  "i guess",
  "for me",
  "for now",
  "right away",
  "right now",
  "at once",
  "if you can",
  "if you could",
  "hold on",
  "hold up",
  "hang on",
  "one sec",
  "one second",
  "right there",
];
const FILLER_WORDS = new Set([
  "uh",
  "uhh",
  "uhm",
  "um",
  "umm",
  "erm",
  "er",
  "ah",
  "ahh",
  "eh",
  "hmm",
  "hm",
  "mm",
  "mhm",
  "oh",
  "okay",
  "ok",
  "well",
  "so",
  "hey",
  "please",
  "pls",
  "plz",
  "now",
  "just",
  "actually",
  "thanks",
  "kindly",
  "quickly",
  "immediately",
  "already",
  "currently",
  "still",
  "anyway",
  "then",
  "wait",
]);

const FILLER_PHRASE_RE = new RegExp(`\\b(?:${FILLER_PHRASES.join("|")})\\b`, "g");

/** Longer than any command with all its politeness: work, not worth normalising. */
const MAX_COMMAND_CHARS = 300;

/** Polite openings before the command itself. */
const LEADS = [
  /^(?:can|could|would|will) (?:you|we) /,
  /^(?:i (?:want|need) you to|i would like you to|i would like to|i want to) /,
  /^let us /,
  /^go ahead and (?=\w)/,
  /^(?:tell|show|give) me /,
  /^let me know /,
  /^(?:i|we) (?=\w)/,
];
/** Any one of the openings (none: the loop below would change nothing). */
const ANY_LEAD = new RegExp(LEADS.map((re) => re.source).join("|"));

/** Lower case, no punctuation, contractions expanded, fillers and polite openings removed. */
export function normalizeCommandText(text: string): string {
  let s = foldCommandText(text);
  if (ANY_CONTRACTION.test(s)) { for (const [re, to] of CONTRACTIONS) s = s.replace(re, to); }
  if (s.includes("'")) s = s.replace(/'/g, "");
  s = s.replace(FILLER_PHRASE_RE, " ");
  s = s.split(" ").filter((w) => w !== "" && !FILLER_WORDS.has(w)).join(" ");
  // "yes, I confirm", "no, we reject it": the speaker naming themselves changes nothing.
  s = s.replace(
    /\b(?:i|we) (?=(?:confirm|approve|accept|allow|authori[sz]e|deny|reject|decline|refuse|cancel|retry)\b)/g,
    "",
  );
  for (let changed = ANY_LEAD.test(s); changed;) {
    changed = false;
    for (const lead of LEADS) {
      const next = s.replace(lead, "");
      if (next !== s && next !== "") {
        s = next;
        changed = true;
      }
    }
  }
  return s;
}

import { startsFilter } from "./command_starts.ts";
import { foldCommandText } from "./fold_command_text.ts";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const any = (words: readonly string[]) => `(?:${words.join("|")})`;

interface Grammar {
  action: ControlAction;
  pattern: RegExp;
}

function buildGrammars(intentWords: readonly string[]): Grammar[] {
  const det = "(?:(?:the|that|this|those|these|my|your) )?";
  const noun =
    "(?:jobs?|tasks?|ones?|things?|requests?|actions?|agents?|work|stuff|workers?|missions?)";
  const intent = intentWords.length ? any(intentWords.map(escape)) : "(?!)";
  // "the browser one", "coding job", "the web task"
  const target = `${det}${intent}(?: ${noun})?`;
  const pronoun = "(?:that|it|this|them|those|these|both|both of them|everything|all)";
  // "the job I just started", "the last thing I said"
  const relative =
    "(?: (?:that )?(?:i|you) (?:started|asked for|requested|sent|said|gave you|queued|are running|are doing|are working on))?";
  const obj = any([
    pronoun,
    `all (?:of )?(?:it|that|them|those|${det}${noun})`,
    `${det}(?:last |current |latest |running |pending |failed |previous |first |other |new )?${noun}${relative}`,
    "what you are doing",
    `${target}${relative}`,
  ]);
  const yes = any([
    "yes",
    "yeah",
    "yea",
    "yep",
    "yup",
    "sure",
    "affirmative",
    "correct",
    "absolutely",
    "definitely",
    "certainly",
    "of course",
    "do it",
    // Agreement with what was just asked: "yes, that's right, go ahead".
    "that is (?:right|correct|ok|okay|good)",
    "exactly",
  ]);
  const no = any(["no", "nope", "nah", "negative", "no way", "not really"]);
  const repeat = (clause: string) => `^${clause}(?: (?:and )?${clause})*$`;
  /** A yes or no said before a command that is neither confirm nor deny ("no, stop that"). */
  const lead = `(?:(?:${yes}|${no}) )?`;
  const cancelVerb = any([
    "cancel",
    "stop",
    "abort",
    "halt",
    "kill",
    "terminate",
    "scrap",
    "scratch",
    "drop",
    "quit",
    "end",
  ]);
  const cancelClause = any([
    `${cancelVerb}(?: ${obj})?`,
    `${cancelVerb} (?:doing|working on|running) ${obj}`,
    `${cancelVerb} (?:working|running)`,
    `never mind(?: ${obj})?`,
    `forget (?:about )?${obj}`,
    `call (?:${obj} )?off(?: ${obj})?`,
    `shut (?:${obj} )?down`,
    "do not bother",
    // "okay, that's enough, stop"
    "(?:that is |that will be )?enough(?: of (?:that|this|it))?(?: for now)?",
  ]);
  const confirmClause = any([
    `(?:confirm|confirmed|approve|approved|allow|allowed|accept|accepted|authori[sz]e|permit)(?: ${obj})?`,
    `go ahead(?: (?:with|and do) ${obj})?`,
    `(?:do|proceed with|continue with|go with) ${obj}`,
    "proceed",
    "continue",
    "go on",
    "go for it",
    // "okay, go": what is left once the filler is gone.
    "go",
    "sounds good",
    "sure thing",
    "why not",
    "green light",
    "permission granted",
    "you have my permission",
    "that is fine",
    "fine",
    `you (?:may|can)(?: (?:do|have) ${obj}| go ahead| proceed)?`,
    "do",
  ]);
  const denyClause = any([
    `(?:deny|denied|reject|rejected|decline|declined|refuse|refused|disallow|disapprove)(?: ${obj})?`,
    `do not(?: (?:do|allow|approve|confirm|accept)(?: ${obj})?| go ahead| proceed| continue)?`,
    "(?:absolutely|definitely|certainly|of course) not",
    "not that",
    // "no, I don't want that", "we'd rather not"
    `(?:(?:i|we) )?do not (?:want|need)(?: ${obj}| to)?`,
    "(?:(?:i|we) )?would rather not",
    `(?:skip|pass on) ${obj}`,
  ]);
  const statusClause = any([
    "status(?: (?:update|report|check))?",
    `status (?:of|on|for) ${obj}`,
    "(?:a |the )?status (?:update|report)",
    `what is (?:the |your |my )?(?:status|progress)(?: (?:of|on|for|with) ${obj})?`,
    "are we (?:done|finished|there)(?: yet)?",
    "how far along (?:are you|is it|are we)",
    `how (?:is|are) ${obj} (?:doing|going|coming along)`,
    `what is (?:happening|going on|up) with ${obj}`,
    "what is up",
    "(?:is (?:there )?)?anything (?:running|going(?: on)?|happening|active|queued|in progress|pending|left)",
    "are you (?:working|busy|running)(?: on (?:it|that|anything|something))?",
    `what is (?:running|pending|in progress|going on|happening|queued|left)`,
    "what (?:jobs |tasks )?are (?:running|pending|in progress|queued|left)",
    "what (?:are you|you are) (?:working on|doing|running|up to|busy with)",
    "what (?:is|are) you (?:working on|doing|running)",
    "how is it going",
    "how are things(?: going)?",
    "any (?:progress|updates?|news)",
    "anything new",
    "progress(?: report| update)?",
    "where are (?:we|you|things)(?: at)?",
    "are you (?:done|finished)(?: yet)?",
    `is ${obj} (?:done|finished|ready)(?: yet)?`,
  ]);
  const retryClause = any([
    `retry(?: ${obj})?`,
    `try(?: ${obj})? (?:again|one more time)`,
    `(?:redo|rerun|re run)(?: ${obj})?`,
    `(?:do|run|start) ${obj} again`,
    `restart ${obj}`,
    `try(?: ${obj})? once more`,
    "once more",
    "go again",
    "give it another (?:try|go|shot)",
    "one more (?:time|try)",
    "again",
  ]);
  return [
    // A leading "no" before a cancel ("no, stop that") still cancels.
    { action: "cancel", pattern: new RegExp(repeat(`${lead}${cancelClause}`)) },
    {
      action: "confirm",
      pattern: new RegExp(
        `^(?:(?:${yes} )*(?:${yes}|${confirmClause})(?: ${target})?(?: (?:and )?${confirmClause})*)$`,
      ),
    },
    {
      action: "deny",
      pattern: new RegExp(
        `^(?:(?:${no} )*(?:${no}|${denyClause})(?: ${target})?(?: (?:and )?${denyClause})*)$`,
      ),
    },
    { action: "status", pattern: new RegExp(repeat(statusClause)) },
    { action: "retry", pattern: new RegExp(repeat(`${lead}${retryClause}`)) },
  ];
}

const cache = new Map<
  string,
  { grammars: Grammar[]; words: [string, string][]; starts: RegExp | undefined }
>();

function grammarFor(intents: readonly string[]) {
  const key = intents.join(",");
  let entry = cache.get(key);
  if (!entry) {
    // Longest words first, so "web page" wins over "page".
    const words = intents
      .flatMap((intent) =>
        [intent, ...(INTENT_WORDS[intent] ?? [])].map((w) => [w, intent] as [string, string])
      )
      .sort((a, b) => b[0].length - a[0].length);
    const grammars = buildGrammars(words.map(([w]) => w));
    // How a command may begin: most utterances are turned away by that before the grammars.
    entry = { grammars, words, starts: startsFilter(grammars.map((g) => g.pattern)) };
    cache.set(key, entry);
  }
  return entry;
}

const DEFAULT_INTENTS = ["coding", "browser", "echo"];

/** The whole-utterance patterns of each action, over normalised text (for tests and tools). */
export function commandPatterns(intents: readonly string[] = DEFAULT_INTENTS): RegExp[] {
  return grammarFor(intents).grammars.map((g) => g.pattern);
}

/**
 * The command an utterance is, or null when it is not one (a request for work, or anything
 * else). Only the whole utterance counts: a command mixed with work is work.
 */
export function parseCommand(
  text: string,
  options: ParseCommandOptions = {},
): ParsedCommand | null {
  if (text.length > MAX_COMMAND_CHARS) return null;
  const s = normalizeCommandText(text);
  if (s === "") return null;
  const { grammars, words, starts } = grammarFor(options.intents ?? DEFAULT_INTENTS);
  if (starts && !starts.test(s)) return null;
  for (const g of grammars) {
    if (!g.pattern.test(s)) continue;
    const padded = ` ${s} `;
    const named = words.find(([w]) => padded.includes(` ${w} `));
    return { action: g.action, ...(named ? { intent: named[1] } : {}) };
  }
  return null;
}
