/**
 * @module
 * What the edge says, as short sentences: an acknowledgement when an utterance is taken, a
 * summary of at most {@linkcode MAX_WORDS_PER_JOB} words per job (plus the cost when above
 * zero) when its fan-in ends, a confirmation prompt ending in "Say yes or no.", the gateway's
 * own sentence after a voice command, and a short line when nothing was routed. Pure.
 * Text meant for the eye (links, markup, ids) is made speakable.
 */
import type { JobView, UtteranceView } from "../fanin/utterance_view.ts";

/** Words spoken per job at most. */
export const MAX_WORDS_PER_JOB = 25;
/** Said when the gateway routed nothing and gave no sentence of its own. */
export const DEFAULT_UNROUTED = "I didn't catch what to do.";
/** Ends every confirmation prompt. */
export const YES_OR_NO = "Say yes or no.";

/** Makes text fit for a voice: no links, markup, quotes or runs of whitespace. */
export function speakable(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, "a link")
    .replace(/[`*_#>|“”"«»]/g, "")
    .replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, "") // ULIDs mean nothing when heard
    .replace(/\s+/g, " ")
    .trim();
}

/** At most `max` words, ending in a full stop. */
export function limitWords(text: string, max: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const cut = words.length > max;
  let out = words.slice(0, max).join(" ");
  if (cut) out = out.replace(/[,;:.!?-]+$/, "");
  if (out && !/[.!?]$/.test(out)) out += ".";
  return out;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "coding", "coding and browser", "coding, browser and echo". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** "On it: coding and browser." for the jobs an utterance started. */
export function ackSentence(jobs: readonly { intent: string }[]): string {
  const intents = [...new Set(jobs.map((j) => j.intent))];
  return intents.length ? `On it: ${listWords(intents)}.` : "On it.";
}

function pick(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    for (const key of ["summary", "answer", "message", "text"]) {
      if (typeof v[key] === "string" && (v[key] as string).trim()) return v[key] as string;
    }
  }
  return undefined;
}

/** One job in at most {@linkcode MAX_WORDS_PER_JOB} words. */
export function jobSentence(job: JobView): string {
  const name = capital(job.intent);
  let text: string;
  if (job.status === "succeeded") {
    const what = pick(job.result);
    text = what ? `${name}: ${speakable(what)}` : `${name} is done`;
  } else if (job.status === "cancelled") {
    text = `${name} was cancelled`;
  } else {
    const error = job.error as { code?: unknown; message?: unknown } | undefined;
    const why = pick(error);
    const code = typeof error?.code === "string" ? error.code.replaceAll("_", " ") : job.status;
    text = why ? `${name} ${code}: ${speakable(why)}` : `${name} ${code}`;
  }
  return limitWords(text, MAX_WORDS_PER_JOB);
}

/** "0.42 cents", "3 cents", "1.25 dollars". */
export function costWords(usd: number): string {
  if (usd >= 1) return `${usd.toFixed(2)} dollars`;
  const cents = usd * 100;
  if (cents >= 1) return `${Math.round(cents)} cent${Math.round(cents) === 1 ? "" : "s"}`;
  return `${Number(cents.toPrecision(2))} cents`;
}

/** The summary of an utterance whose fan-in ended: its jobs, then the cost when above zero. */
export function summarySentence(view: UtteranceView): string {
  const parts = view.jobs.map(jobSentence);
  const cost = view.usage?.cost_usd ??
    (typeof view.cost_usd === "number" ? view.cost_usd : undefined) ??
    view.jobs.reduce((n, j) => n + (j.usage?.cost_usd ?? 0), 0);
  if (typeof cost === "number" && cost > 0) parts.push(`It cost ${costWords(cost)}.`);
  return parts.join(" ");
}

/** What a paused job asks, then "Say yes or no." */
export function confirmationSentence(job: JobView): string {
  const prompt = (job as { confirmation?: { prompt?: unknown } }).confirmation?.prompt;
  const asked = typeof prompt === "string" && prompt.trim()
    ? limitWords(speakable(prompt), MAX_WORDS_PER_JOB)
    : `${capital(job.intent)} needs your confirmation.`;
  return `${asked} ${YES_OR_NO}`;
}

/** The sentence after a voice command: the gateway's own, or a plain one. */
export function controlSentence(control: { action?: string; say?: string | undefined }): string {
  const say = control.say?.trim();
  return say ? limitWords(speakable(say), 40) : `${capital(control.action ?? "done")}.`;
}

/** Said when nothing was routed: the gateway's sentence, or {@linkcode DEFAULT_UNROUTED}. */
export function unroutedSentence(say?: string): string {
  const s = say?.trim();
  return s ? limitWords(speakable(s), 40) : DEFAULT_UNROUTED;
}
