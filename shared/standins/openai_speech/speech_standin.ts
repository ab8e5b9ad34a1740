/**
 * @module
 * A local STAND-IN for the OpenAI speech API (`POST /v1/audio/speech`), for tests and the
 * offline demo. It speaks the API's wire protocol: Bearer authentication, the JSON body of
 * `SpeechCreateParams` (typed with the `openai` package's own types) checked field by field,
 * OpenAI's error shape `{ error: { message, type, param, code } }` with its 400/401/404
 * statuses, and a streamed body: `response_format: "pcm"` is raw 24 kHz 16-bit mono
 * little-endian PCM sent chunk by chunk as it is made, `"wav"` the same behind a WAV header.
 * The voice is real speech made by espeak-ng (resampled to 24 kHz); where espeak-ng is not
 * installed it is a tone as long as the text would take to say, and the log says so.
 */
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import type { SpeechCreateParams } from "openai/resources/audio/speech";
import { espeakAvailable, espeakPcm } from "@shared/audio/espeak_stream.ts";
import { LinearResampler } from "./linear_resampler.ts";

const log = getLogger(["standin", "openai-speech"]);

/** The only rate the API streams `pcm` at. */
export const SPEECH_RATE = 24_000;
/** Models the API lists for speech. */
const MODELS = /^(tts-1|tts-1-hd|gpt-4o-mini-tts(-\d{4}-\d{2}-\d{2})?)$/;
/** Built-in voices. */
export const VOICES = [
  "alloy",
  "ash",
  "ballad",
  "coral",
  "echo",
  "fable",
  "onyx",
  "nova",
  "sage",
  "shimmer",
  "verse",
  "marin",
  "cedar",
] as const;
const FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"] as const;

/** The body, as the API documents it (`SpeechCreateParams`). */
const SpeechBody = z.object(
  {
    input: z.string(),
    model: z.string(),
    voice: z.union([z.string(), z.object({ id: z.string() })]),
    instructions: z.string().optional(),
    response_format: z.enum(FORMATS).optional(),
    speed: z.number().optional(),
    stream_format: z.enum(["sse", "audio"]).optional(),
    // Every field of the SDK's type, and no other.
  } satisfies Record<keyof SpeechCreateParams, z.ZodType>,
);

/** A fault armed with {@linkcode SpeechStandIn.inject}. */
export type SpeechFault =
  /** Answer the next request with this status and OpenAI's error body (429: rate limit). */
  | { type: "status"; status: 429 | 500 | 503 }
  /** Hold the first byte of the next answer back for `ms`. */
  | { type: "delay"; ms: number }
  /** Send part of the audio, then cut the connection. */
  | { type: "cut" };

/** Options of {@linkcode startSpeechStandIn}. */
export interface SpeechStandInOptions {
  /** @default "127.0.0.1" */
  hostname?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** The only key accepted; when omitted any non-empty key is. */
  apiKey?: string;
  /** Faults armed from the start, used in order. */
  faults?: SpeechFault[];
  /** Force the tone instead of espeak-ng (tests of the fallback). @default false */
  tone?: boolean;
}

/** One request the stand-in answered with audio. */
export interface SpokenRequest {
  input: string;
  model: string;
  voice: string;
  response_format: string;
  /** Samples sent, at 24 kHz. */
  samples: number;
}

/** A running stand-in. */
export interface SpeechStandIn {
  /** Base URL to give the SDK (`baseURL`), e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  port: number;
  /** Requests answered with audio, in order. */
  spoken: SpokenRequest[];
  inject(fault: SpeechFault): void;
  close(): Promise<void>;
}

function apiError(
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null,
  type = "invalid_request_error",
): Response {
  return Response.json({ error: { message, type, param, code } }, { status });
}

/** A 440 Hz tone of about the length speaking `text` would take. */
function* tone(text: string): Generator<Int16Array> {
  const words = Math.max(1, text.split(/\s+/).filter(Boolean).length);
  const total = Math.round((words / 2.9) * SPEECH_RATE);
  for (let at = 0; at < total; at += 2400) {
    const n = Math.min(2400, total - at);
    yield Int16Array.from(
      { length: n },
      (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * (at + i)) / SPEECH_RATE)),
    );
  }
}

function wavStreamHeader(): Uint8Array {
  const bytes = new Uint8Array(44);
  const v = new DataView(bytes.buffer);
  const text = (at: number, s: string) => bytes.set(new TextEncoder().encode(s), at);
  text(0, "RIFF");
  v.setUint32(4, 0xffffffff, true); // length unknown while streaming, as the API sends it
  text(8, "WAVEfmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, SPEECH_RATE, true);
  v.setUint32(28, SPEECH_RATE * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, "data");
  v.setUint32(40, 0xffffffff, true);
  return bytes;
}

/** Starts a speech stand-in on loopback. */
export async function startSpeechStandIn(
  options: SpeechStandInOptions = {},
): Promise<SpeechStandIn> {
  const faults = [...(options.faults ?? [])];
  const spoken: SpokenRequest[] = [];
  const useTone = options.tone || !(await espeakAvailable());
  if (useTone) {
    log.warning("espeak-ng is not installed: the speech stand-in answers with a tone");
  }
  const shutdown = new AbortController();
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();

  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v1/audio/speech") {
      return apiError(404, `Invalid URL (${req.method} ${url.pathname})`);
    }
    const auth = req.headers.get("authorization") ?? "";
    const key = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    if (!key) {
      return apiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return apiError(
        401,
        `Incorrect API key provided: ${key.slice(0, 3)}***${key.slice(-4)}.`,
        null,
        "invalid_api_key",
      );
    }
    let json: unknown;
    try {
      json = await req.json();
    } catch {
      return apiError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      );
    }
    const body = SpeechBody.safeParse(json);
    if (!body.success) {
      const issue = body.error.issues[0]!;
      const param = String(issue.path[0] ?? "");
      const missing = json && typeof json === "object" && !(param in json);
      return missing
        ? apiError(
          400,
          `Missing required parameter: '${param}'.`,
          param,
          "missing_required_parameter",
        )
        : apiError(400, `Invalid type for '${param}': ${issue.message}.`, param, "invalid_type");
    }
    const p = body.data;
    if (p.input.length === 0 || p.input.length > 4096) {
      return apiError(
        400,
        p.input.length === 0
          ? "Invalid 'input': empty string. Expected a string with minimum length 1."
          : `Invalid 'input': string too long. Expected a string with maximum length 4096, but got a string with length ${p.input.length} instead.`,
        "input",
        p.input.length === 0 ? "empty_string" : "string_above_max_length",
      );
    }
    if (!MODELS.test(p.model)) {
      return apiError(
        400,
        `Invalid value: '${p.model}'. Supported values are: 'tts-1', 'tts-1-hd' and 'gpt-4o-mini-tts'.`,
        "model",
        "invalid_value",
      );
    }
    const voice = typeof p.voice === "string" ? p.voice : p.voice.id;
    if (typeof p.voice === "string" && !(VOICES as readonly string[]).includes(p.voice)) {
      return apiError(
        400,
        `Invalid value: '${p.voice}'. Supported values are: ${
          VOICES.map((v) => `'${v}'`).join(", ")
        }.`,
        "voice",
        "invalid_value",
      );
    }
    if (p.speed !== undefined && (p.speed < 0.25 || p.speed > 4)) {
      return apiError(
        400,
        `Invalid 'speed': decimal below minimum value. Expected a value >= 0.25 and <= 4, but got ${p.speed} instead.`,
        "speed",
        "invalid_value",
      );
    }
    const format = p.response_format ?? "mp3";
    if (format !== "pcm" && format !== "wav") {
      // Honest about what it cannot encode, in the API's shape.
      return apiError(
        400,
        `This stand-in streams 'pcm' and 'wav' only: current value is '${format}'.`,
        "response_format",
        "invalid_value",
      );
    }
    if (p.stream_format === "sse") {
      return apiError(
        400,
        "This stand-in streams raw audio only: 'stream_format' must be 'audio'.",
        "stream_format",
        "invalid_value",
      );
    }
    const fault = faults.shift();
    if (fault?.type === "status") {
      log.info("stand-in answers with fault status {status}", { status: fault.status });
      return fault.status === 429
        ? apiError(429, "Rate limit reached for requests.", null, "rate_limit_exceeded", "requests")
        : apiError(
          fault.status,
          "The server had an error while processing your request.",
          null,
          null,
          "server_error",
        );
    }
    const record: SpokenRequest = {
      input: p.input,
      model: p.model,
      voice,
      response_format: format,
      samples: 0,
    };
    spoken.push(record);
    log.info("stand-in speaks {chars} characters as {format} ({source})", {
      chars: p.input.length,
      format,
      source: useTone ? "tone" : "espeak-ng",
    });
    const abort = new AbortController();
    const speed = p.speed ?? 1;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        streams.add(controller);
        void (async () => {
          try {
            if (fault?.type === "delay") await new Promise((r) => setTimeout(r, fault.ms));
            if (format === "wav") controller.enqueue(wavStreamHeader());
            const send = (samples: Int16Array) => {
              if (samples.length === 0) return;
              record.samples += samples.length;
              controller.enqueue(
                new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
              );
            };
            let chunks = 0;
            if (useTone) {
              for (const s of tone(p.input)) send(s);
            } else {
              let resampler: LinearResampler | undefined;
              for await (
                const c of espeakPcm(p.input, {
                  voice: "en-us",
                  wordsPerMinute: Math.round(175 * speed),
                  signal: abort.signal,
                })
              ) {
                resampler ??= new LinearResampler(c.sampleRate, SPEECH_RATE);
                send(resampler.push(c.samples));
                if (fault?.type === "cut" && ++chunks >= 1) {
                  controller.error(new Error("stand-in fault: connection cut"));
                  return;
                }
              }
            }
            controller.close();
          } catch (error) {
            if (!abort.signal.aborted) {
              log.error("stand-in could not make speech: {error}", { error });
              try {
                controller.error(error);
              } catch { /* already closed */ }
            }
          } finally {
            streams.delete(controller);
          }
        })();
      },
      cancel: () => abort.abort(),
    });
    return new Response(stream, {
      status: 200,
      headers: { "content-type": format === "pcm" ? "audio/pcm" : "audio/wav" },
    });
  };

  const listening = Promise.withResolvers<void>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    signal: shutdown.signal,
    onListen: () => listening.resolve(),
  }, handle);
  await listening.promise;
  const addr = server.addr as Deno.NetAddr;
  const url = `http://${addr.hostname}:${addr.port}/v1`;
  log.info("OpenAI speech STAND-IN listening on {url}", { url });
  return {
    url,
    port: addr.port,
    spoken,
    inject: (fault) => void faults.push(fault),
    async close() {
      shutdown.abort();
      for (const c of streams) {
        try {
          c.error(new Error("stand-in closed"));
        } catch { /* closed */ }
      }
      await server.finished;
    },
  };
}
