/**
 * @module
 * Voice commands on `POST /task`: an utterance that is a whole command (see
 * `command_parser.ts`) steers the jobs of its own session instead of creating work. It is
 * answered 200 `{ utterance_id, jobs: [], control: { action, job_ids, say } }`, traced as
 * `control.<action>`, counted in `orchestrator_control_commands_total{action,outcome}`, and
 * recorded as an utterance with no jobs and its `control` (so `GET /utterances/{id}` answers,
 * and the same `utterance_id` again returns the same answer without acting twice).
 *
 * Cancels and confirmation answers go through the store (`cancel`, `decide`), which reaches
 * the engine holding the job in whichever process it runs.
 */
import type { ControlAnswer, JobRecord, UtteranceRecord } from "@shared/schemas/mod.ts";
import type { AppDeps } from "../app_deps.ts";
import { type ControlAction, parseCommand } from "./command_parser.ts";
import { planControl, sayFor, type SessionUtterance } from "./control_plan.ts";
import { answerConfirmation, cancelJob, retryJob } from "./steer.ts";

/** How far back in a session a command looks. */
const SESSION_LOOKBACK = 50;

export interface VoiceCommandRequest {
  utterance_id: string;
  text: string;
  source: "voice" | "api";
  session_id?: string | undefined;
}

/**
 * Runs `req` as a voice command when it is one; null when it is not (route it as work). An
 * utterance id seen before as a command gets its recorded answer again.
 */
export async function runVoiceCommand(
  deps: AppDeps,
  req: VoiceCommandRequest,
): Promise<ControlAnswer | null> {
  const command = parseCommand(req.text, { intents: deps.skills.map((s) => s.intent) });
  if (!command) return null;
  const existing = await deps.queue.getUtterance(req.utterance_id);
  if (existing) return existing.control ? recorded(existing, existing.control) : null;

  const started = performance.now();
  let done: JobRecord[] = [];
  let targets: JobRecord[] = [];
  if (req.session_id !== undefined) {
    const utterances = await sessionJobs(deps, req.session_id);
    targets = planControl(command, utterances).targets;
    done = await act(deps, command.action, targets);
  }
  const say = sayFor(command.action, done, {
    intent: command.intent,
    hasSession: req.session_id !== undefined,
  });
  const control = { action: command.action, job_ids: done.map((j) => j.job_id), say };
  const { created, utterance } = await deps.queue.enqueue({
    utterance_id: req.utterance_id,
    text: req.text,
    source: req.source,
    session_id: req.session_id,
    control,
  }, []);
  // Two identical requests at once: the one recorded first is the answer.
  if (!created) return utterance.control ? recorded(utterance, utterance.control) : null;

  const outcome = req.session_id === undefined ? "no_session" : done.length ? "acted" : "nothing";
  deps.metrics.controlCommands.inc({ action: command.action, outcome });
  deps.tracer.emit({
    source: "gateway.control",
    event: `control.${command.action}`,
    utterance_id: req.utterance_id,
    duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
    data: {
      text: req.text.slice(0, 500),
      source: req.source,
      session_id: req.session_id ?? null,
      intent: command.intent ?? null,
      outcome,
      job_ids: control.job_ids,
      // Jobs picked that had moved on by the time they were steered (finished meanwhile).
      missed: targets.filter((t) => !done.some((d) => d.job_id === t.job_id)).map((t) => t.job_id),
      say,
    },
  });
  return { utterance_id: req.utterance_id, jobs: [], control, duplicate: false };
}

function recorded(
  utterance: UtteranceRecord,
  control: NonNullable<UtteranceRecord["control"]>,
): ControlAnswer {
  return { utterance_id: utterance.utterance_id, jobs: [], control, duplicate: true };
}

/** The session's recent utterances with their jobs, newest first. */
async function sessionJobs(deps: AppDeps, sessionId: string): Promise<SessionUtterance[]> {
  const utterances = await deps.queue.listSessionUtterances(sessionId, SESSION_LOOKBACK);
  return await Promise.all(
    utterances.filter((u) => u.job_ids.length > 0).map(async (u) => ({
      utterance_id: u.utterance_id,
      jobs: await deps.queue.listByUtterance(u.utterance_id),
    })),
  );
}

/** Steers the targets; returns those the command took effect on. */
async function act(
  deps: AppDeps,
  action: ControlAction,
  targets: readonly JobRecord[],
): Promise<JobRecord[]> {
  if (action === "status") return [...targets];
  const results = await Promise.all(targets.map(async (job) => {
    switch (action) {
      case "cancel":
        return await cancelJob(deps, job.job_id);
      case "retry":
        return await retryJob(deps, job.job_id);
      case "confirm":
        return await answerConfirmation(deps, job.job_id, "allow");
      case "deny":
        return await answerConfirmation(deps, job.job_id, "deny");
    }
  }));
  return results.filter((j): j is JobRecord => j !== null);
}
