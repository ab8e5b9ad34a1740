/**
 * @module
 * Turns the model's answer into the job's result: the rationale, and the unified diff checked
 * for form against the repository's files. A missing or malformed diff is a result with
 * `applies: false` and the reason, never an error: the job did its work, the proposal is bad.
 */
import { extractDiff, InvalidDiffError, validateDiff } from "./diff.ts";

export interface ProposalResult {
  [key: string]: string | boolean | string[];
  summary: string;
  rationale: string;
  files_changed: string[];
}

export interface Proposal {
  result: ProposalResult;
  /** The diff to store as `patch.diff` (also when malformed, for a person to read). */
  patch?: string;
}

/**
 * The proposal in `answer`. `stopReason` `max_tokens` marks the result `truncated`, which also
 * explains a diff that breaks off.
 */
export function proposalFrom(
  answer: string,
  tracked: ReadonlySet<string>,
  stopReason: string | null = null,
): Proposal {
  const rationale = /Rationale:\s*(.+)/.exec(answer)?.[1]?.trim() ?? "";
  const truncated = stopReason === "max_tokens";
  const cut = truncated ? " (the answer was cut off at max_tokens)" : "";
  const flag = truncated ? { truncated: true } : {};
  const raw = extractDiff(answer);
  if (!raw) {
    return {
      result: {
        summary: "The model proposed no patch",
        rationale,
        applies: false,
        apply_error: `the answer contained no unified diff${cut}`,
        files_changed: [],
        ...flag,
      },
    };
  }
  try {
    const diff = validateDiff(raw, tracked);
    return {
      patch: diff.patch,
      result: {
        summary: `Patch proposal for ${diff.files.join(", ")}`,
        rationale,
        files_changed: diff.files,
        // Read and removed by the skill's finalize, which runs `git apply --check`.
        patch_valid: true,
        ...flag,
      },
    };
  } catch (err) {
    if (!(err instanceof InvalidDiffError)) throw err;
    return {
      patch: raw,
      result: {
        summary: "The model's patch is malformed",
        rationale,
        applies: false,
        apply_error: `malformed diff: ${err.message}${cut}`,
        files_changed: [],
        ...flag,
      },
    };
  }
}
