/**
 * @module
 * What the edge says, and when: it listens to the outbox (an utterance taken: "On it: …"; a
 * voice command answered: the gateway's sentence; nothing routed: "I didn't catch …") and to
 * the follower (a job of this session paused for confirmation: its question and "Say yes or
 * no."; an utterance's fan-in ended: its summary and cost), and hands sentences to the
 * speaker. Kept apart from `edge/main.ts` so the demo, tests and benchmarks wire it the same.
 */
import type { Outbox } from "../outbox/outbox.ts";
import type { UtteranceFollower } from "../fanin/utterance_follower.ts";
import {
  ackSentence,
  confirmationSentence,
  controlSentence,
  summarySentence,
  unroutedSentence,
} from "./spoken_lines.ts";

/** The part of the speaker this needs. */
export interface SentenceSink {
  say(text: string): void;
}

/** Connects outbox and follower events to the speaker; returns the disconnect function. */
export function speakReplies(options: {
  outbox: Outbox;
  follower?: UtteranceFollower | undefined;
  speaker: SentenceSink;
}): () => void {
  const { outbox, follower, speaker } = options;
  const off = [
    outbox.on("acknowledged", (a) => {
      const r = a.response;
      if (!r) return;
      if (r.control) speaker.say(controlSentence(r.control));
      else if (r.unrouted || r.jobs.length === 0) speaker.say(unroutedSentence(r.say));
      else speaker.say(ackSentence(r.jobs));
    }),
  ];
  if (follower) {
    off.push(
      follower.on("job", ({ job, previous }) => {
        if (job.status === "awaiting_confirmation" && previous !== "awaiting_confirmation") {
          speaker.say(confirmationSentence(job));
        }
      }),
      follower.on("final", ({ view }) => {
        if (view.status !== "unrouted" && view.jobs.length > 0) speaker.say(summarySentence(view));
      }),
    );
  }
  return () => {
    for (const o of off) o();
  };
}
