/**
 * @module
 * `deno task edge`: the real-time loop on the user's machine. Microphone (or `--input FILE`)
 * → frames → Silero VAD → OpenAI Realtime transcription → the gateway, through a
 * durable outbox; results are followed and printed as they fan in. `--vad-only` prints speech
 * segments and touches no network; so does `--input FILE` when no OpenAI key is set.
 *
 * Ctrl-C stops capture and gives what is in flight {@linkcode SHUTDOWN_GRACE_MS} to reach the
 * gateway, then lists what was left (undelivered utterances stay in the outbox); a second
 * Ctrl-C exits at once with code 130.
 */
import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import { setupLogging } from "@shared/logging/mod.ts";
import { EDGE_HELP, type EdgeFlags, EdgeUsageError, parseEdgeFlags } from "./cli.ts";
import { CaptureError, hostOs, resolveTool } from "./capture/capture.ts";
import { describeDeviceListing, listDevicesCommands } from "./capture/capture_command.ts";
import { VadModelError } from "./speech/silero_vad.ts";
import { type AudioFront, type FrontEvent, startAudioFront } from "./front/audio_front.ts";
import { SegmentSink } from "./front/segment_sink.ts";
import { latencySummary } from "./front/latency_summary.ts";
import { StatusLine } from "./status_line.ts";
import {
  MissingApiKeyError,
  readVocabularyFile,
  RealtimeConfigError,
  realtimeEnv,
  RealtimeTranscriber,
  startVocabulary,
} from "./realtime/mod.ts";
import { GatewayTokenError, Outbox } from "./outbox/mod.ts";
import { forwardTranscripts, UtteranceFollower } from "./fanin/mod.ts";
import { followSessionEvents, type SessionEvents } from "./fanin/session_events.ts";
import { SpeechConfigError } from "./speech_out/speech_config.ts";
import { startVoiceOutput } from "./speech_out/voice_output.ts";
import { speakReplies } from "./speech_out/voice_replies.ts";
import { describePending, settleWithin, SHUTDOWN_GRACE_MS } from "./shutdown.ts";

const log = getLogger(["edge"]);

/** Time given to the last sentences once everything else is done. */
const SPOKEN_WAIT_MS = 30_000;

/** The one stderr line of `--input FILE` without a key: segments are shown, not transcribed. */
const NO_KEY_NOTICE =
  "notice: transcription is off until OPENAI_API_KEY is set (or OPENAI_REALTIME_URL points at a local stand-in): showing the speech segments only";

async function listDevices(flags: EdgeFlags): Promise<number> {
  const os = hostOs();
  const tool = await resolveTool(flags.capture, { os });
  for (const { cmd, args } of listDevicesCommands(tool, os)) {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    console.log(`$ ${cmd} ${args.join(" ")}\n${describeDeviceListing(tool, os, text)}`);
  }
  return 0;
}

function vadSettings(flags: EdgeFlags) {
  return {
    positiveThreshold: flags.vad_threshold,
    negativeThreshold: flags.vad_negative,
    minSpeechMs: flags.min_speech_ms,
    redemptionMs: flags.hangover_ms,
    preSpeechPadMs: flags.pad_ms,
  };
}

async function runFront(
  flags: EdgeFlags,
  front: AudioFront,
  status: StatusLine | undefined,
  onEvent: (e: FrontEvent) => void,
): Promise<void> {
  const started = performance.now();
  let state = flags.vad === "off" ? "off" : "quiet";
  let level = -100;
  let failure: Error | undefined;
  for await (const e of front.events) {
    switch (e.type) {
      case "frame":
        level = e.level;
        break;
      case "transition":
        // The front writes each transition to the trace log.
        state = e.to;
        break;
      case "speech_start":
        log.info("Speech started at {start_ms} ms", { start_ms: e.start_ms, at_ms: e.at_ms });
        break;
      case "speech_end":
        log.info("Speech segment {start_ms}–{end_ms} ms ({duration_ms} ms)", {
          start_ms: e.start_ms,
          end_ms: e.end_ms,
          duration_ms: e.end_ms - e.start_ms,
          padded_ms: Math.round(e.audio.length / 16),
        });
        break;
      case "misfire":
        log.debug("Ignored a {ms} ms burst", { ms: e.end_ms - e.start_ms });
        break;
      case "error":
        failure = e.error;
        break;
      case "speech_audio":
      case "dropped":
      case "ended":
        break;
    }
    onEvent(e);
    if (status) {
      const stats = front.stats();
      status.update({
        levelDb: level,
        state,
        elapsedMs: performance.now() - started,
        segments: stats.segments,
        dropped: stats.dropped,
      });
    }
  }
  status?.clear();
  const stats = front.stats();
  const latency = latencySummary(stats.inference_ms);
  log.info(
    "Audio ended: {frames} frames, {segments} segments, {dropped} dropped, {restarts} capture restarts, VAD p50 {p50} ms p99 {p99} ms",
    {
      frames: stats.frames,
      segments: stats.segments,
      dropped: stats.dropped,
      restarts: stats.restarts,
      p50: latency.p50_ms,
      p99: latency.p99_ms,
      windows: latency.windows,
    },
  );
  // A capture that failed for good ends the run with its message (the caller maps it to exit 1).
  if (failure) throw failure;
}

async function main(): Promise<number> {
  let flags: EdgeFlags;
  try {
    flags = parseEdgeFlags(Deno.args);
  } catch (err) {
    if (err instanceof EdgeUsageError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (flags.help) {
    console.log(EDGE_HELP);
    return 0;
  }
  // The status line is for a person watching: stdout on a terminal (and stderr, where it is
  // drawn, too). Redirected output gets plain log lines.
  const tty = Deno.stdout.isTerminal() && Deno.stderr.isTerminal();
  const dispose = await setupLogging({
    logFile: join(flags.logs_dir, "windows-edge-traces.jsonl"),
    level: flags.log_level,
    // On a terminal the status line owns stderr; the JSON log still goes to the file.
    stderr: !tty,
  });
  const status = tty ? new StatusLine(Deno.stderr) : undefined;
  try {
    if (flags.list_devices) return await listDevices(flags);
    // Settle transcription before capture starts, so a missing key costs no audio.
    let realtime: { apiKey: string; url: string } | undefined;
    if (!flags.vad_only) {
      try {
        realtime = realtimeEnv();
      } catch (err) {
        // A file can be played again once the key is set, so its segments are shown meanwhile;
        // a microphone's speech would be lost untranscribed, so it stops with the error.
        if (!(err instanceof MissingApiKeyError && flags.input && flags.vad === "silero")) {
          throw err;
        }
        console.error(NO_KEY_NOTICE);
      }
    }
    // A bad vocabulary file is found before any audio is captured.
    const fileTerms = realtime && flags.vocabulary
      ? await readVocabularyFile(flags.vocabulary)
      : [];
    const front = await startAudioFront({
      capture: flags.capture,
      frameMs: flags.frame_ms as 10 | 20 | 30,
      pace: flags.pace,
      vad: flags.vad,
      vadRuntime: flags.vad_runtime,
      vadSettings: vadSettings(flags),
      ...(flags.input ? { input: flags.input } : {}),
      ...(flags.device ? { device: flags.device } : {}),
    });
    // First Ctrl-C: stop capture and let the run finish within a grace time. Second: quit now.
    const interrupted = Promise.withResolvers<void>();
    let interrupts = 0;
    Deno.addSignalListener("SIGINT", () => {
      if (++interrupts === 1) {
        front.stop();
        interrupted.resolve();
        return;
      }
      status?.clear();
      console.error("error: interrupted twice: quitting without waiting");
      Deno.exit(130);
    });
    if (!realtime) {
      await runFront(flags, front, status, (e) => {
        if (e.type !== "speech_end") return;
        // Both go to the same terminal: clear the status line so the JSON line starts clean.
        status?.clear();
        console.log(JSON.stringify({ start_ms: e.start_ms, end_ms: e.end_ms }));
      });
      await front.close();
      return 0;
    }
    return await stream(flags, realtime, front, status, interrupted.promise, fileTerms);
  } catch (err) {
    if (
      err instanceof CaptureError || err instanceof VadModelError ||
      err instanceof RealtimeConfigError || err instanceof SpeechConfigError
    ) {
      status?.clear();
      log.error("{error}", { error: err.message });
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await dispose();
  }
}

/** Streaming mode: speech → Realtime transcription → outbox → gateway, results followed. */
async function stream(
  flags: EdgeFlags,
  { apiKey, url }: { apiKey: string; url: string },
  front: AudioFront,
  status: StatusLine | undefined,
  interrupted: Promise<void>,
  fileTerms: string[],
): Promise<number> {
  const token = Deno.env.get("GATEWAY_TOKEN") || undefined;
  const print = (line: string) => (status ? status.print(line) : console.log(line));
  const transcriber = new RealtimeTranscriber({
    apiKey,
    url,
    model: flags.model,
    ...(flags.language ? { language: flags.language } : {}),
    turnDetection: flags.vad === "off" ? "server_vad" : "client",
  });
  // The prompt (--prompt, --vocabulary, then the gateway's GET /vocabulary) never delays start.
  void startVocabulary({
    model: flags.model,
    prompt: flags.prompt,
    fileTerms,
    gatewayUrl: flags.gateway,
    token,
    setPrompt: (p) => transcriber.setPrompt(p),
    // A person at a terminal sees the notice; redirected stderr keeps its human lines for
    // errors and gets it as a log record.
    notice: (line) => (status ? status.print(line) : log.warning("{line}", { line })),
  });
  // One session per run: voice commands act on this run's jobs only.
  const sessionId = `edge-${crypto.randomUUID()}`;
  const outbox = await Outbox.open({
    dataDir: flags.data_dir,
    gatewayUrl: flags.gateway,
    sessionId,
    ...(token ? { token } : {}),
  });
  const follower = flags.follow
    ? new UtteranceFollower({ gatewayUrl: flags.gateway, ...(token ? { token } : {}), print })
    : undefined;
  forwardTranscripts({ transcriber, outbox, ...(follower ? { follower } : {}), print });
  const voice = await startVoiceOutput({
    speak: flags.speak,
    voice: flags.voice,
    speakTo: flags.speak_to,
    bargeIn: flags.barge_in,
    microphone: !flags.input,
    print,
    notice: (line) => (status ? status.print(line) : console.error(line)),
  });
  if (voice.speaker) speakReplies({ outbox, follower, speaker: voice.speaker });
  // The session's event stream opens with the first answer: until then nothing is followed.
  let events: SessionEvents | undefined;
  if (follower) {
    outbox.on("acknowledged", () => {
      events ??= followSessionEvents(follower, {
        gatewayUrl: flags.gateway,
        sessionId,
        ...(token ? { token } : {}),
      });
    });
  }
  if (status) {
    // Live words go on the terminal's status line only; printed output gets finals alone.
    transcriber.on("partial", (p) => status.setPartial(p.text));
    for (const done of ["final", "failed", "discarded"] as const) {
      transcriber.on(done, () => status.setPartial(undefined));
    }
  }
  let fatal: Error | undefined;
  transcriber.on("fatal", ({ error }) => {
    fatal = error;
    print(`error: ${error.message}`);
    front.stop();
  });
  // Ctrl-C, or a refused token (nothing more could be delivered), bounds the final wait.
  const stopping = Promise.withResolvers<void>();
  void interrupted.then(() => {
    print(
      `Stopping: waiting up to ${
        SHUTDOWN_GRACE_MS / 1000
      } s for utterances in flight (Ctrl-C again to quit now)`,
    );
    stopping.resolve();
  });
  // Someone stopping the edge wants it quiet: what is being said is cut, nothing more is said.
  void stopping.promise.then(() => voice.close());
  outbox.on("unauthorized", ({ error }) => {
    status?.clear();
    console.error(`error: ${error.message}`);
    front.stop();
    stopping.resolve();
  });
  transcriber.start();
  outbox.start();
  print(
    `Listening${
      flags.input ? ` to ${flags.input}` : ""
    }; transcribing with ${flags.model} at ${url}; tasks go to ${flags.gateway} (session ${sessionId}); ${voice.description}`,
  );
  const sink = new SegmentSink(transcriber, {
    allAudio: flags.vad === "off",
    gate: voice.segmentGate,
  });
  await runFront(flags, front, status, (e) => sink.push(e));
  await front.close();
  let code = 0;
  if (!fatal) {
    const work = (async () => {
      await transcriber.whenIdle();
      await outbox.whenDrained();
      await follower?.whenAllFinal();
      // Every result is heard before the edge exits, within a bound.
      if (!(await voice.whenSpoken(SPOKEN_WAIT_MS))) print("notice: stopped waiting for speech");
    })();
    const outcome = await settleWithin(work, stopping.promise, SHUTDOWN_GRACE_MS);
    if (outcome.kind === "timed_out") code = outbox.refused ? 1 : 130;
    else if (outcome.kind === "failed") {
      // The refusal was reported when it happened.
      if (!(outcome.error instanceof GatewayTokenError)) {
        const error = outcome.error;
        print(`error: ${error instanceof Error ? error.message : error}`);
      }
      code = 1;
    }
  }
  const pending = describePending({
    untranscribed: transcriber.heldSegments,
    undelivered: outbox.depth,
    outboxDir: outbox.dir,
    following: follower?.following ?? 0,
  });
  await transcriber.close();
  await outbox.close();
  await events?.close();
  await follower?.close();
  await voice.close();
  for (const line of pending) print(line);
  return fatal ? 1 : code;
}

if (import.meta.main) Deno.exit(await main());
