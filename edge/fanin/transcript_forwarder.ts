/**
 * @module
 * The wiring between the three network parts of the edge: each final transcript goes into
 * the outbox; each acknowledgement starts following the utterance on the gateway. Kept in
 * one function so that `edge/main.ts`, the demo and the end-to-end tests wire them the same.
 */
import { getLogger } from "@logtape/logtape";
import type { RealtimeTranscriber } from "../realtime/realtime_transcriber.ts";
import type { Outbox } from "../outbox/outbox.ts";
import type { UtteranceFollower } from "./utterance_follower.ts";
import { formatUnrouted } from "./utterance_view.ts";

const log = getLogger(["edge", "fanin"]);

/** Options of {@linkcode forwardTranscripts}. */
export interface ForwardOptions {
  transcriber: RealtimeTranscriber;
  outbox: Outbox;
  /** Follows acknowledged utterances to their results; none when omitted. */
  follower?: UtteranceFollower;
  /** Where to print live lines (final transcripts). @default none */
  print?: (line: string) => void;
}

/** Connects transcriber → outbox → follower. Returns a function that disconnects them. */
export function forwardTranscripts(options: ForwardOptions): () => void {
  const { transcriber, outbox, follower, print } = options;
  const off = [
    transcriber.on("final", (t) => {
      const meta: Record<string, string | number> = { model: t.model, audio_ms: t.audio_ms };
      if (t.speech_end_to_final_ms !== undefined) {
        meta.speech_end_to_final_ms = Math.round(t.speech_end_to_final_ms);
      }
      const result = outbox.enqueue({ utterance_id: t.utterance_id, text: t.text, meta });
      if (!result.accepted && result.reason !== "duplicate") {
        log.error("Utterance {id} was not queued for the gateway: {reason}", {
          id: t.utterance_id,
          reason: result.reason,
        });
      }
      print?.(`» ${t.text}`);
    }),
    transcriber.on("failed", (f) => {
      print?.(`✗ an utterance was lost: ${f.reason}`);
    }),
    outbox.on("acknowledged", (a) => {
      // A voice command acted on earlier jobs (those are followed already): nothing to follow.
      if (a.response?.control) {
        const c = a.response.control;
        print?.(
          `» ${c.action}: ${c.say ?? ""}${c.job_ids.length ? ` (${c.job_ids.join(", ")})` : ""}`,
        );
        return;
      }
      // No jobs means no skill matched: the gateway queued nothing, so there is nothing to
      // follow. (An answer the edge could not read is still followed, to learn its outcome.)
      if (a.response && (a.response.unrouted || a.response.jobs.length === 0)) {
        print?.(formatUnrouted(a.text, a.response.say));
        return;
      }
      follower?.follow(a.utterance_id, a.response?.jobs ?? []);
    }),
    outbox.on("rejected", (r) => {
      print?.(`✗ the gateway refused an utterance (HTTP ${r.status}): ${r.body.slice(0, 200)}`);
    }),
  ];
  return () => {
    for (const o of off) o();
  };
}
