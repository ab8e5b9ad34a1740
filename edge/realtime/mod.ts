/**
 * @module
 * The edge's realtime transcription client: OpenAI Realtime GA transcription sessions over
 * Deno's native WebSocket, with the 16→24 kHz resampler and the event schemas.
 */
export * from "./realtime_transcriber.ts";
export * from "./realtime_env.ts";
export * from "./client_events.ts";
export * from "./server_events.ts";
export * from "./resampler.ts";
export * from "./reconnect_policy.ts";
export * from "../support/edge_trace.ts";
export * from "./transcription_models.ts";
export * from "./session_rotation.ts";
export * from "./vocabulary_prompt.ts";
export * from "./vocabulary_source.ts";
