/**
 * @module
 * The edge's outbox: durable, bounded, background delivery of utterances to `POST /task`.
 */
export * from "./outbox.ts";
export * from "./outbox_store.ts";
export * from "./delivery_policy.ts";
export * from "./task_post.ts";
