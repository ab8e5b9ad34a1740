/**
 * @module
 * Reads the provider settings of the realtime client from the environment
 * (`OPENAI_API_KEY`, `OPENAI_REALTIME_URL`), parsed with zod, with a clear message when the
 * key is missing for the real API. A stand-in on loopback takes any key, so none is needed.
 */
import { z } from "zod";
import { DEFAULT_REALTIME_URL } from "./transcriber_types.ts";

/** Thrown when the environment cannot configure the realtime client. */
export class RealtimeConfigError extends Error {
  override name = "RealtimeConfigError";
}

/**
 * Thrown when no key is set for a provider that needs one: the one configuration gap the edge
 * can run without (a file's speech segments are still shown, untranscribed).
 */
export class MissingApiKeyError extends RealtimeConfigError {
  override name = "MissingApiKeyError";
}

const Env = z.object({
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_REALTIME_URL: z.string().trim().min(1).optional(),
});

/** Key sent to a loopback stand-in when no key is set. */
export const STANDIN_PLACEHOLDER_KEY = "sk-standin-no-key";

/** `{ apiKey, url }` for {@linkcode RealtimeTranscriber} options. */
export function realtimeEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): { apiKey: string; url: string } {
  const parsed = Env.safeParse({
    OPENAI_API_KEY: env.OPENAI_API_KEY || undefined,
    OPENAI_REALTIME_URL: env.OPENAI_REALTIME_URL || undefined,
  });
  if (!parsed.success) {
    throw new RealtimeConfigError(`Cannot configure the Realtime client: ${parsed.error.message}`);
  }
  const url = parsed.data.OPENAI_REALTIME_URL ?? DEFAULT_REALTIME_URL;
  let host: string;
  try {
    const u = new URL(url);
    if (!["ws:", "wss:", "http:", "https:"].includes(u.protocol)) throw new Error(u.protocol);
    host = u.hostname;
  } catch {
    throw new RealtimeConfigError(
      `Cannot configure the Realtime client as 'OPENAI_REALTIME_URL' must be a ws:// or wss:// URL: current value is '${url}'`,
    );
  }
  const key = parsed.data.OPENAI_API_KEY;
  if (key) return { apiKey: key, url };
  if (host === "127.0.0.1" || host === "localhost" || host === "[::1]") {
    return { apiKey: STANDIN_PLACEHOLDER_KEY, url };
  }
  throw new MissingApiKeyError(
    `Cannot connect to ${url} as 'OPENAI_API_KEY' is not set: set it, or point OPENAI_REALTIME_URL at a local stand-in`,
  );
}
