/**
 * @module
 * The OpenAI Realtime stand-in (transcription sessions) for tests and the offline demo.
 */
export * from "./realtime_standin.ts";
export * from "./transcript_script.ts";
export * from "./energy_vad.ts";
export * from "./pcm_codec.ts";
