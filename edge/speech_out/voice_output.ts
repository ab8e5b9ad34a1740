/**
 * @module
 * Sets up the edge's voice for one run from its flags: picks the voice
 * ({@linkcode planSpeech}), finds a player, opens the `--speak-to` folder, and builds the
 * speaker and the half-duplex gate. {@linkcode VoiceOutput.segmentGate} is the gate as the
 * `SegmentSink` between the VAD's events and the transcriber uses it, so speech heard while
 * the edge talks (its own voice, coming back through the microphone) never becomes a
 * request; with `--barge-in` the start of such speech stops the edge talking instead.
 */
import { getLogger } from "@logtape/logtape";
import { espeakAvailable } from "@shared/audio/espeak_stream.ts";
import { findPlayer, type PlayerName, SpeechArchive } from "./audio_player.ts";
import { DuplexGate } from "./duplex_gate.ts";
import { Speaker } from "./speaker.ts";
import { describePlan, planSpeech, type SpeakMode, type SpeechPlan } from "./speech_config.ts";
import { createSynth } from "./speech_synth.ts";
import { emitTrace, logTracer } from "../support/edge_trace.ts";
import type { SegmentGate } from "../front/segment_sink.ts";

const log = getLogger(["edge", "speech"]);

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
  /** The gate of the segment sink; none when nothing can echo (a file, or no speech). */
  segmentGate: SegmentGate | undefined;
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
  const segmentGate: SegmentGate | undefined = o.microphone && speaker
    ? {
      segmentStarted() {
        const verdict = gate.segmentStarted(now());
        if (verdict === "barge_in") {
          log.info("Speech started while the edge spoke: stopping playback (barge-in)");
          emitTrace(logTracer, { source: "edge.speech", event: "speech.barge_in" });
          speaker.stop();
        }
        if (verdict === "drop") {
          // Its own voice, back through the microphone: never a request.
          emitTrace(logTracer, { source: "edge.speech", event: "speech.own_voice_ignored" });
          return false;
        }
        return true;
      },
      segmentEnded: () => void gate.segmentEnded(),
      framePasses: () => gate.framePasses(now()),
    }
    : undefined;
  return {
    plan,
    speaker,
    gate,
    description,
    segmentGate,
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
