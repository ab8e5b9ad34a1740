/**
 * @module
 * Fan-in on the edge: following utterances to their results, and the wiring of transcriber,
 * outbox and follower.
 */
export * from "./utterance_follower.ts";
export * from "./utterance_view.ts";
export * from "./transcript_forwarder.ts";
export * from "./session_events.ts";
