/**
 * @module
 * Reads a V8 `.cpuprofile` (what `deno run --cpu-prof` writes) and sums the time spent in each
 * function and each file, idle time left out, so that a profile of the gateway under load says
 * in a few lines where a request's CPU goes. Pure.
 */
import { z } from "zod";

const CallFrame = z.object({
  functionName: z.string(),
  url: z.string(),
  lineNumber: z.number(),
});

/** The parts of the `.cpuprofile` format (Chrome DevTools protocol `Profile`) read here. */
export const CpuProfile = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: CallFrame })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
export type CpuProfile = z.infer<typeof CpuProfile>;

export interface CostLine {
  /** `function file:line` (or the file alone, in `byFile`). */
  name: string;
  ms: number;
  /** Share of the busy time, 0–1. */
  share: number;
}

export interface ProfileSummary {
  /** Sampled time the thread was not idle. */
  busyMs: number;
  byFunction: CostLine[];
  byFile: CostLine[];
}

/** A script's place, shortened: npm packages by name and version, files relative to `root`. */
export function shortUrl(url: string, root = ""): string {
  if (!url) return "(native)";
  const npm = /\/node_modules\/\.deno\/([^/]+)\//.exec(url);
  if (npm) return `npm:${npm[1]!.replace(/\+/g, "/")}`;
  return root && url.startsWith(root) ? url.slice(root.length) : url;
}

/** Self time per function and per file, largest first, `top` of each. */
export function summarizeProfile(
  profile: CpuProfile,
  options: { top?: number; root?: string } = {},
): ProfileSummary {
  const top = options.top ?? 25;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  );
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id);
    if (!frame || frame.functionName === "(idle)") continue;
    busy += us;
    const file = shortUrl(frame.url, options.root);
    const where = frame.url ? `${file}:${frame.lineNumber + 1}` : file;
    const fn = `${frame.functionName || "(anonymous)"} ${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const lines = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({
      name,
      ms: us / 1000,
      share: busy > 0 ? us / busy : 0,
    }));
  return { busyMs: busy / 1000, byFunction: lines(byFunction), byFile: lines(byFile) };
}

/** Lines of text: share, milliseconds, name (long regex sources cut short). */
export function formatCosts(lines: readonly CostLine[], width = 140): string {
  return lines.map((l) => {
    const text = `${(l.share * 100).toFixed(1).padStart(5)} % ${
      l.ms.toFixed(0).padStart(6)
    } ms  ${l.name}`;
    return text.length > width ? text.slice(0, width - 1) + "…" : text;
  }).join("\n");
}
