/**
 * @module
 * The edge's voice: what it says and when, the voices (OpenAI speech, espeak-ng), players, the
 * `--speak-to` archive and the half-duplex gate.
 */
export * from "./audio_player.ts";
export * from "./duplex_gate.ts";
export * from "./speaker.ts";
export * from "./speech_config.ts";
export * from "./speech_synth.ts";
export * from "./spoken_lines.ts";
export * from "./voice_output.ts";
export * from "./voice_replies.ts";
