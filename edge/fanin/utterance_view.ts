/**
 * @module
 * The gateway's fan-in answer (`GET /utterances/:id`) as the edge reads it, and the lines the
 * edge prints for it. Pure. The schema is loose on purpose: the gateway may add fields and job
 * states, and an unknown status is treated as not final rather than as an error.
 */
import { z } from "zod";

/** Final utterance and job statuses, as the gateway defines them. */
export {
  FINAL_JOB_STATUSES,
  FINAL_UTTERANCE_STATUSES,
  isFinalUtteranceStatus as isFinalStatus,
} from "@shared/schemas/wire.ts";

const UsageView = z.looseObject({
  provider: z.string().optional(),
  model: z.string().optional(),
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  /** `null` for a model without a price ("unpriced"). */
  cost_usd: z.number().nullable().optional(),
});

export const JobView = z.looseObject({
  job_id: z.string(),
  intent: z.string(),
  status: z.string(),
  result: z.unknown().optional(),
  error: z.unknown().optional(),
  usage: UsageView.nullable().optional(),
});
export type JobView = z.infer<typeof JobView>;

export const UtteranceView = z.looseObject({
  utterance_id: z.string(),
  text: z.string().optional(),
  status: z.string(),
  jobs: z.array(JobView),
  usage: UsageView.nullable().optional(),
});
export type UtteranceView = z.infer<typeof UtteranceView>;

function oneLine(value: unknown, max = 200): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    const pick = v.summary ?? v.answer ?? v.message ?? v.text;
    text = typeof pick === "string" ? pick : JSON.stringify(value);
  } else text = String(value);
  text = text.replace(/\s+/g, " ").trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function usd(n: number | null | undefined): string {
  if (n === null) return "unpriced";
  return n === undefined ? "" : `$${n.toFixed(n < 0.01 ? 4 : 2)}`;
}

/**
 * One line per finished job. With the gateway's URL, artifacts are shown as the links that
 * serve them (`GET /artifacts/...`, token required when set), since the gateway's data folder
 * may be on another machine.
 */
export function formatJobLine(job: JobView, gatewayUrl?: string): string {
  const cost = job.usage?.cost_usd;
  const tail = cost === undefined ? "" : ` (${usd(cost)})`;
  if (job.status === "succeeded") {
    const line = `  ✓ ${job.intent} ${job.job_id}: ${
      job.result === undefined ? "done" : oneLine(job.result)
    }${tail}`;
    const artifacts = (job.result as { artifacts?: { path?: unknown }[] } | undefined)?.artifacts;
    const base = gatewayUrl?.replace(/\/+$/, "");
    const paths = Array.isArray(artifacts)
      ? artifacts.map((a) => a?.path).filter((p): p is string => typeof p === "string")
        .map((p) => (base ? `${base}/${p}` : p))
      : [];
    return paths.length ? `${line}\n      artifacts: ${paths.join(", ")}` : line;
  }
  const why = job.error === undefined ? "" : `: ${oneLine(job.error)}`;
  return `  ✗ ${job.intent} ${job.job_id} ${job.status}${why}${tail}`;
}

/** The one line printed for an utterance no skill matched. */
export function formatUnrouted(text: string, say?: string): string {
  const line = `nothing to do: no skill matched '${oneLine(text, 120)}'`;
  return say ? `${line}: ${oneLine(say, 200)}` : line;
}

/**
 * The lines printed when an utterance is final: a heading, its jobs, the total cost; or the
 * one "nothing to do" line when no skill matched.
 */
export function formatUtteranceResult(view: UtteranceView, gatewayUrl?: string): string[] {
  if (view.status === "unrouted") return [formatUnrouted(view.text ?? "")];
  const lines = [
    `“${oneLine(view.text ?? "", 120)}” → ${view.status} (${view.jobs.length} job${
      view.jobs.length === 1 ? "" : "s"
    })`,
  ];
  for (const job of view.jobs) lines.push(formatJobLine(job, gatewayUrl));
  // Unknown when any job ran on an unpriced model (the gateway's sum says null then too).
  const total = view.usage?.cost_usd !== undefined
    ? view.usage.cost_usd
    : view.jobs.some((j) => j.usage?.cost_usd === null)
    ? null
    : view.jobs.reduce((n, j) => n + (j.usage?.cost_usd ?? 0), 0);
  const tokens = view.usage
    ? ` (${view.usage.input_tokens ?? 0} in / ${view.usage.output_tokens ?? 0} out tokens)`
    : "";
  lines.push(`  total cost ${usd(total)}${tokens}`);
  return lines;
}
