/**
 * @module
 * Where the edge's vocabulary comes from: a `--vocabulary FILE` (one term per line, checked
 * at start) and the gateway's `GET /vocabulary` (the coding workspace's identifiers and file
 * names). The gateway is asked in the background with a timeout: transcription starts at
 * once, and the prompt is updated when the answer comes. A failure costs a notice, never the
 * run.
 */
import { z } from "zod";
import { getLogger } from "@logtape/logtape";
import { RealtimeConfigError } from "./realtime_env.ts";
import { buildTranscriptionPrompt, MAX_TERM_CHARS, mergeVocabulary } from "./vocabulary_prompt.ts";
import { transcriptionModelRules } from "./transcription_models.ts";

const log = getLogger(["edge", "vocabulary"]);

/** A vocabulary file larger than this is refused (a prompt holds a few hundred terms at most). */
export const MAX_VOCABULARY_FILE_BYTES = 64 * 1024;

/** Thrown for a `--vocabulary` file that cannot be used; the message names the line. */
export class VocabularyFileError extends RealtimeConfigError {
  override name = "VocabularyFileError";
}

/** Thrown when the gateway gives no vocabulary; the message says why. */
export class VocabularyFetchError extends Error {
  override name = "VocabularyFetchError";
}

/**
 * The terms of a vocabulary file: one per line; blank lines and lines starting with `#` are
 * skipped. A line with `<`, `>` or a control character, or longer than 64 characters, is an
 * error naming it, so a typo is found at start rather than heard wrong later.
 */
export async function readVocabularyFile(path: string): Promise<string[]> {
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(path);
    if (info.size > MAX_VOCABULARY_FILE_BYTES) {
      throw new VocabularyFileError(
        `Cannot use the vocabulary file ${path} as it is over ${MAX_VOCABULARY_FILE_BYTES} bytes: current size is ${info.size}`,
      );
    }
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof VocabularyFileError) throw err;
    throw new VocabularyFileError(
      `Cannot read the vocabulary file ${path}: ${err instanceof Error ? err.message : err}`,
      { cause: err },
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new VocabularyFileError(`Cannot use the vocabulary file ${path} as it is not UTF-8 text`);
  }
  const terms: string[] = [];
  for (const [i, raw] of text.replace(/^\uFEFF/, "").split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith("#")) continue;
    const why = /[<>]/.test(line)
      ? "contains '<' or '>'"
      // deno-lint-ignore no-control-regex
      : /[\u0000-\u001f\u007f\u2028\u2029]/.test(line)
      ? "contains a control character"
      : line.length > MAX_TERM_CHARS
      ? `is longer than ${MAX_TERM_CHARS} characters`
      : undefined;
    if (why) {
      const shown = line.length > 40 ? `${line.slice(0, 40)}…` : line;
      throw new VocabularyFileError(
        `Cannot use the vocabulary file ${path} as line ${i + 1} ${why}: ${JSON.stringify(shown)}`,
      );
    }
    terms.push(line);
  }
  return terms;
}

const VocabularyAnswer = z.object({ terms: z.array(z.string()) });

/** Options of {@linkcode fetchGatewayVocabulary}. */
export interface GatewayVocabularyOptions {
  gatewayUrl: string;
  /** `GATEWAY_TOKEN`, sent as a bearer token. */
  token?: string | undefined;
  /** @default 3000 */
  timeoutMs?: number;
}

/** The gateway's `GET /vocabulary` terms (at most 100, cleaned); rejects with a reason. */
export async function fetchGatewayVocabulary(options: GatewayVocabularyOptions): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const url = new URL("/vocabulary", options.gatewayUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === "TimeoutError";
    throw new VocabularyFetchError(
      timedOut
        ? `no answer from ${url} within ${timeoutMs} ms`
        : `cannot reach ${url}: ${err instanceof Error ? err.message : err}`,
    );
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new VocabularyFetchError(`${url} answered ${res.status} without JSON`);
  }
  if (!res.ok) {
    const message = (body as { message?: unknown })?.message;
    throw new VocabularyFetchError(
      `${url} answered ${res.status}${typeof message === "string" ? `: ${message}` : ""}`,
    );
  }
  const parsed = VocabularyAnswer.safeParse(body);
  if (!parsed.success) {
    throw new VocabularyFetchError(`${url} answered without a 'terms' list of strings`);
  }
  return mergeVocabulary(parsed.data.terms).slice(0, 100);
}

/** Options of {@linkcode startVocabulary}. */
export interface StartVocabularyOptions extends GatewayVocabularyOptions {
  /** The transcription model (one that takes no prompt gets no vocabulary). */
  model: string;
  /** The user's `--prompt`. */
  prompt?: string | undefined;
  /** Terms of the `--vocabulary` file. */
  fileTerms: readonly string[];
  /** Receives the prompt whenever it changes (the transcriber's `setPrompt`). */
  setPrompt: (prompt: string | undefined) => void;
  /** One-line notices for the person at the terminal. */
  notice: (line: string) => void;
  /** Ask the gateway. @default true */
  fromGateway?: boolean;
}

/**
 * Sets the prompt from the user's prompt and the file's terms at once, then asks the gateway
 * in the background and, when it answers, sets the prompt again with its terms after the
 * file's. Resolves when that is settled (tests and shutdown wait on it; nobody must).
 */
export function startVocabulary(options: StartVocabularyOptions): Promise<void> {
  if (!transcriptionModelRules(options.model).prompt) {
    if (options.fileTerms.length > 0 || options.prompt) {
      options.notice(
        `notice: ${options.model} takes no transcription prompt, so the prompt and vocabulary are not sent`,
      );
    }
    return Promise.resolve();
  }
  const { prompt, fileTerms } = options;
  options.setPrompt(buildTranscriptionPrompt({ prompt, terms: fileTerms }));
  if (options.fromGateway === false) return Promise.resolve();
  return fetchGatewayVocabulary(options).then(
    (terms) => {
      log.info("Vocabulary: {file} term(s) from the file, {gateway} from the gateway", {
        file: fileTerms.length,
        gateway: terms.length,
      });
      if (terms.length > 0) {
        options.setPrompt(buildTranscriptionPrompt({ prompt, terms: [...fileTerms, ...terms] }));
      }
    },
    (err) => {
      const reason = err instanceof Error ? err.message : String(err);
      options.notice(
        `notice: no vocabulary from the gateway (${reason}); transcribing ${
          fileTerms.length > 0 ? "with the --vocabulary file's terms only" : "without one"
        }`,
      );
    },
  );
}
