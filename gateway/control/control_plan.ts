/**
 * @module
 * What a voice command acts on, and the sentence that answers it. Pure: given the session's
 * recent utterances with their jobs, it picks the target jobs by the rules below and phrases
 * the answer; `voice_control.ts` does the I/O.
 *
 * - cancel: the unfinished jobs of the session's most recent utterance that has any.
 * - confirm / deny: the session's job in `awaiting_confirmation` (the oldest when several).
 * - retry: the failed or dead jobs of the most recent utterance that has any.
 * - status: every unfinished job of the session.
 *
 * A command that names a skill ("cancel the coding job") considers only that skill's jobs.
 */
import { isFinal, type JobRecord } from "@shared/schemas/mod.ts";
import type { ControlAction, ParsedCommand } from "./command_parser.ts";

/** One utterance of the session and its jobs; newest utterance first in the list given. */
export interface SessionUtterance {
  utterance_id: string;
  jobs: readonly JobRecord[];
}

export interface ControlPlan {
  action: ControlAction;
  /** The jobs to act on (for status: the jobs reported), in the order they were created. */
  targets: JobRecord[];
}

const byAge = (a: JobRecord, b: JobRecord) =>
  a.created_at < b.created_at
    ? -1
    : a.created_at > b.created_at
    ? 1
    : a.job_id < b.job_id
    ? -1
    : a.job_id > b.job_id
    ? 1
    : 0;

/** Picks the jobs a command acts on among the session's utterances (newest first). */
export function planControl(
  command: ParsedCommand,
  utterances: readonly SessionUtterance[],
): ControlPlan {
  const named = (j: JobRecord) => !command.intent || j.intent === command.intent;
  const firstWith = (keep: (j: JobRecord) => boolean) => {
    for (const u of utterances) {
      const jobs = u.jobs.filter((j) => named(j) && keep(j));
      if (jobs.length > 0) return jobs.sort(byAge);
    }
    return [];
  };
  const all = utterances.flatMap((u) => u.jobs).filter(named).sort(byAge);
  switch (command.action) {
    case "cancel":
      return { action: "cancel", targets: firstWith((j) => !isFinal(j.status)) };
    case "retry":
      return {
        action: "retry",
        targets: firstWith((j) => j.status === "failed" || j.status === "dead"),
      };
    case "confirm":
    case "deny": {
      const waiting = all.filter((j) => j.status === "awaiting_confirmation");
      return { action: command.action, targets: waiting.slice(0, 1) };
    }
    case "status":
      return { action: "status", targets: all.filter((j) => !isFinal(j.status)) };
  }
}

/** "coding", "coding and browser", "2 echo, coding and browser". */
export function listIntents(jobs: readonly Pick<JobRecord, "intent">[]): string {
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(j.intent, (counts.get(j.intent) ?? 0) + 1);
  const parts = [...counts].map(([intent, n]) => (n > 1 ? `${n} ${intent}` : intent));
  return parts.length <= 1
    ? parts.join("")
    : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

const STATE_WORDS: Record<string, string> = {
  queued: "queued",
  delayed: "waiting to retry",
  running: "running",
  awaiting_confirmation: "waiting for your yes or no",
};

/** A job or jobs, named by skill: "the coding job", "2 jobs: coding and browser". */
function jobsPhrase(jobs: readonly Pick<JobRecord, "intent">[]): string {
  return jobs.length === 1
    ? `the ${jobs[0]!.intent} job`
    : `${jobs.length} jobs: ${listIntents(jobs)}`;
}

export interface SayOptions {
  /** The skill the command named, for "No coding job to cancel." */
  intent?: string | undefined;
  /** False when the request had no session: nothing could be acted on. */
  hasSession: boolean;
}

/** One short sentence to speak after a command. `done` are the jobs actually acted on. */
export function sayFor(
  action: ControlAction,
  done: readonly Pick<JobRecord, "intent" | "status">[],
  options: SayOptions,
): string {
  const what = options.intent ? `${options.intent} job` : "";
  if (!options.hasSession) {
    const nothing = {
      cancel: "Nothing to cancel",
      confirm: "Nothing to confirm",
      deny: "Nothing to deny",
      retry: "Nothing to retry",
      status: "I can't tell what is yours",
    }[action];
    return `${nothing}: this request has no session.`;
  }
  if (done.length === 0) {
    switch (action) {
      case "cancel":
        return what ? `No ${what} to cancel.` : "Nothing to cancel.";
      case "retry":
        return what ? `No failed ${what} to retry.` : "Nothing to retry.";
      case "confirm":
      case "deny":
        return what
          ? `No ${what} is waiting for a confirmation.`
          : "Nothing is waiting for a confirmation.";
      case "status":
        return what ? `No ${what} is running.` : "Nothing is running.";
    }
  }
  switch (action) {
    case "cancel":
      return `Cancelled ${jobsPhrase(done)}.`;
    case "retry":
      return `Retrying ${jobsPhrase(done)}.`;
    case "confirm":
      return `Approved ${jobsPhrase(done)}.`;
    case "deny":
      return `Denied ${jobsPhrase(done)}.`;
    case "status": {
      // Short enough to speak: the first few, then how many more.
      const parts = done.slice(0, 4).map((j) => `${j.intent} ${STATE_WORDS[j.status] ?? j.status}`);
      if (done.length > 4) parts.push(`${done.length - 4} more`);
      const list = parts.length === 1
        ? parts[0]!
        : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
      return `${done.length === 1 ? "1 job" : `${done.length} jobs`}: ${list}.`;
    }
  }
}
