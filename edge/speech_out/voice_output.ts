/**
 * @module
 * Sets up the edge's voice for one run from its flags: picks the voice
 * ({@linkcode planSpeech}), finds a player, opens the `--speak-to` folder, and builds the
 * speaker and the half-duplex gate. {@linkcode VoiceOutput.gateHooks} puts the gate between
 * the VAD's events and the transcriber, so speech heard while the edge talks (its own voice,
 * coming back through the microphone) never becomes a request; with `--barge-in` the start
 * of such speech stops the edge talking instead.
 */
import { getLogger } from "@logtape/logtape";
import { espeakAvailable } from "@shared/audio/espeak_stream.ts";
import { findPlayer, type PlayerName, SpeechArchive } from "./audio_player.ts";
import { DuplexGate } from "./duplex_gate.ts";
import { Speaker } from "./speaker.ts";
import { describePlan, planSpeech, type SpeakMode, type SpeechPlan } from "./speech_config.ts";
import { createSynth } from "./speech_synth.ts";
import { emitTrace, logTracer } from "../support/edge_trace.ts";

const log = getLogger(["edge", "speech"]);

/** The VAD-side callbacks the gate sits in front of. */
export interface FrontHooks {
  onStart?: (preroll: Int16Array) => void;
  onAudio?: (samples: Int16Array) => void;
  onEnd?: (e: { start_ms: number; end_ms: number }) => void;
  onFrame?: (samples: Int16Array) => void;
}

/** Options of {@linkcode startVoiceOutput}. */
export interface VoiceOutputOptions {
  speak: SpeakMode;
  voice?: string | undefined;
  speakTo?: string | undefined;
  bargeIn?: boolean;
  /** Whether a microphone is listening (a file input hears no echo: no gating). */
  microphone: boolean;
  /** Where spoken sentences are printed. */
  print?: (line: string) => void;
  /** Where notices go. @default console.error */
  notice?: (line: string) => void;
  /** @default Deno.env.toObject() */
  env?: Record<string, string | undefined>;
  /** Skip looking for a player (tests and benchmarks that only archive). */
  player?: PlayerName | "none";
  onFirstAudio?: (e: { text: string; latency_ms: number }) => void;
  /** Gate tail after playback. @default 400 */
  tailMs?: number;
}

/** The edge's voice for one run. */
export interface VoiceOutput {
  plan: SpeechPlan;
  /** Undefined when speech is off. */
  speaker: Speaker | undefined;
  gate: DuplexGate;
  /** One line for the start banner. */
  description: string;
  /** The hooks, gated (unchanged for file input). */
  gateHooks(hooks: FrontHooks): FrontHooks;
  /** Resolves when everything queued has been said, or after `timeoutMs`. */
  whenSpoken(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** See the module documentation. */
export async function startVoiceOutput(o: VoiceOutputOptions): Promise<VoiceOutput> {
  const notice = o.notice ?? ((l: string) => console.error(l));
  const plan = planSpeech({
    mode: o.speak,
    ...(o.voice ? { voice: o.voice } : {}),
    env: o.env ?? Deno.env.toObject(),
    espeakInstalled: o.speak === "openai" || o.speak === "off" ? false : await espeakAvailable(),
  });
  if (plan.engine === "off" && plan.notice) notice(plan.notice);
  const gate = new DuplexGate({
    bargeIn: o.bargeIn ?? false,
    ...(o.tailMs !== undefined ? { tailMs: o.tailMs } : {}),
  });
  const synth = createSynth(plan);
  let speaker: Speaker | undefined;
  let player: PlayerName | undefined;
  if (synth) {
    player = o.player === "none" ? undefined : o.player ?? await findPlayer();
    const archive = o.speakTo ? await SpeechArchive.open(o.speakTo) : undefined;
    if (!player && !archive) {
      notice(
        "notice: no audio player found (paplay, ffplay or aplay; afplay on macOS): speech is off; --speak-to DIR writes it to files",
      );
    } else {
      speaker = new Speaker({
        synth,
        player,
        archive,
        listener: {
          playbackStarted: () => gate.playbackStarted(),
          playbackEnded: (now) => gate.playbackEnded(now),
        },
        notice,
        ...(o.print ? { print: o.print } : {}),
        onFirstAudio: (e) => {
          // From the sentence being queued to its first sound: the voice's share of latency.
          emitTrace(logTracer, {
            source: "edge.speech",
            event: "speech.first_audio",
            duration_ms: e.latency_ms,
            data: { chars: e.text.length, engine: plan.engine },
          });
          o.onFirstAudio?.(e);
        },
      });
    }
  }
  const description = speaker
    ? `${describePlan(plan)}${player ? ` through ${player}` : ""}${
      o.speakTo ? `, sentences also in ${o.speakTo}` : ""
    }`
    : "not speaking";
  const now = () => performance.now();
  return {
    plan,
    speaker,
    gate,
    description,
    gateHooks(hooks) {
      if (!o.microphone || !speaker) return hooks;
      return {
        ...(hooks.onStart
          ? {
            onStart: (preroll: Int16Array) => {
              const verdict = gate.segmentStarted(now());
              if (verdict === "barge_in") {
                log.info("Speech started while the edge spoke: stopping playback (barge-in)");
                emitTrace(logTracer, { source: "edge.speech", event: "speech.barge_in" });
                speaker.stop();
              }
              if (verdict === "drop") {
                // Its own voice, back through the microphone: never a request.
                emitTrace(logTracer, { source: "edge.speech", event: "speech.own_voice_ignored" });
                return;
              }
              hooks.onStart!(preroll);
            },
          }
          : {}),
        ...(hooks.onAudio
          ? { onAudio: (s: Int16Array) => void (gate.segmentPasses && hooks.onAudio!(s)) }
          : {}),
        ...(hooks.onEnd
          ? {
            onEnd: (e: { start_ms: number; end_ms: number }) =>
              void (gate.segmentEnded() && hooks.onEnd!(e)),
          }
          : {}),
        ...(hooks.onFrame
          ? { onFrame: (s: Int16Array) => void (gate.framePasses(now()) && hooks.onFrame!(s)) }
          : {}),
      };
    },
    async whenSpoken(timeoutMs) {
      if (!speaker) return true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = await Promise.race([
        speaker.whenIdle().then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      return done;
    },
    async close() {
      await speaker?.close();
    },
  };
}
