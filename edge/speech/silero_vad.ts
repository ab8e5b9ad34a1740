/**
 * @module
 * Silero VAD v5: one speech probability per 512-sample window at 16 kHz, carrying the model's
 * [2,1,128] state and the 64-sample context between windows. Runs on onnxruntime-node (native,
 * needs `--allow-ffi`) and falls back to onnxruntime-web (WASM) when the native binding cannot
 * load. The model file comes from the installed `@ricky0123/vad-web` package, never from the
 * network.
 */
import type * as OrtWeb from "onnxruntime-web";
import { getLogger } from "@logtape/logtape";
import { fileURLToPath } from "node:url";
import { bindSileroInputs } from "./bind_silero_inputs.ts";

export const WINDOW = 512;
const CONTEXT = 64;

const log = getLogger(["edge", "vad"]);

/** Which ONNX runtime to use: `auto` tries the native one first. */
export type VadRuntimeChoice = "auto" | "node" | "web";
/** The runtime a loaded model runs on. */
export type VadRuntime = "onnxruntime-node" | "onnxruntime-web";

/** The part of the onnxruntime API used here; the node and web packages share it. */
type Ort = Pick<typeof OrtWeb, "InferenceSession" | "Tensor">;
type Session = OrtWeb.InferenceSession;
type Tensor = OrtWeb.Tensor;
type Feeds = Record<string, Tensor>;

/**
 * onnxruntime-node's native session. Its `run` is synchronous; the package's public `run` defers
 * it to a later turn of the event loop (`setImmediate`), which at real-time pace is one more
 * wake-up per 32 ms window, each on cold caches. The VAD calls the native session directly.
 */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, offset: number, length: number, options: object): void;
  run(feeds: Feeds, fetches: Record<string, null>, options: object): Record<string, Tensor>;
  dispose(): void;
}

/** The native session of the same onnxruntime-node, or null when it cannot be reached. */
async function nativeSession(bytes: Uint8Array, options: object): Promise<NativeSession | null> {
  try {
    const { binding, initOrt } = (await import("npm:onnxruntime-node@^1.22.0/dist/binding.js")) as {
      binding: { InferenceSession: new () => NativeSession };
      initOrt(): void;
    };
    initOrt();
    const session = new binding.InferenceSession();
    session.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, options);
    return session;
  } catch (err) {
    log.debug("Native session unavailable ({error}); using the package's run", {
      error: err instanceof Error ? err.message : String(err),
    });
    return null;
  }
}

const SESSION_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1 };
const FETCHES = { output: null, stateN: null };

/** Where the model is: `VAD_MODEL_PATH`, else the copy inside the installed package. */
export function defaultModelPath(): string {
  try {
    const fromEnv = Deno.env.get("VAD_MODEL_PATH");
    if (fromEnv) return fromEnv;
  } catch { /* no env permission: use the package */ }
  // fileURLToPath, not `.pathname`: on Windows the latter gives "/C:/…", which no API opens.
  return fileURLToPath(
    new URL("../../node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx", import.meta.url),
  );
}

export class VadModelError extends Error {
  override name = "VadModelError";
}

export interface SileroLoadOptions {
  /** @default "auto" (onnxruntime-node, else onnxruntime-web) */
  runtime?: VadRuntimeChoice;
  /**
   * Run the model with `sr` made a constant and the window's shape fixed (see
   * `bind_silero_inputs.ts`); the model as shipped when false, or when it cannot be bound.
   * @default true
   */
  bindInputs?: boolean;
}

async function loadNode(): Promise<Ort> {
  // Imported lazily: without --allow-ffi (or without the native binary for this platform) the
  // import itself throws, and the WASM runtime must still be reachable.
  return (await import("onnxruntime-node")) as unknown as Ort;
}

async function loadWeb(): Promise<Ort> {
  const ort = await import("onnxruntime-web");
  // One thread: the VAD shares the machine with capture and the rest of the edge, and the
  // threaded build needs workers that a 512-sample window does not pay for.
  ort.env.wasm.numThreads = 1;
  return ort;
}

async function pickRuntime(choice: VadRuntimeChoice): Promise<{ ort: Ort; runtime: VadRuntime }> {
  if (choice === "web") return { ort: await loadWeb(), runtime: "onnxruntime-web" };
  try {
    return { ort: await loadNode(), runtime: "onnxruntime-node" };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (choice === "node") {
      throw new VadModelError(
        `Cannot load onnxruntime-node (${reason}): use --vad-runtime web to run Silero on onnxruntime-web`,
        { cause: err },
      );
    }
    log.warn("onnxruntime-node is unavailable ({reason}); running Silero on onnxruntime-web", {
      reason,
    });
    return { ort: await loadWeb(), runtime: "onnxruntime-web" };
  }
}

export class SileroVad {
  /** The runtime this model runs on. */
  readonly runtime: VadRuntime;
  readonly #ort: Ort;
  readonly #session: Session | null;
  readonly #native: NativeSession | null;
  #state: Tensor;
  /** Whether the model runs with its inputs bound (see {@linkcode SileroLoadOptions}). */
  readonly inputsBound: boolean;
  readonly #input = new Float32Array(CONTEXT + WINDOW);
  /** Wraps `#input` itself: filled in place before each run, never allocated per window. */
  readonly #inputTensor: Tensor;
  readonly #feeds: Feeds;
  /** Inference times in ms (bounded), for latency summaries. */
  readonly timings: number[] = [];

  private constructor(
    ort: Ort,
    session: Session | null,
    runtime: VadRuntime,
    native: NativeSession | null,
    srBound: boolean,
  ) {
    this.#ort = ort;
    this.#session = session;
    this.#native = native;
    this.runtime = runtime;
    this.#state = SileroVad.#zeroState(ort);
    this.#inputTensor = new ort.Tensor("float32", this.#input, [1, CONTEXT + WINDOW]);
    this.#feeds = { input: this.#inputTensor, state: this.#state };
    // A bound model has the rate built in; the model as shipped takes it with every window.
    if (!srBound) this.#feeds.sr = new ort.Tensor("int64", BigInt64Array.from([16000n]), []);
    this.inputsBound = srBound;
  }

  static #zeroState(ort: Ort): Tensor {
    return new ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]);
  }

  static async load(
    path: string = defaultModelPath(),
    options: SileroLoadOptions = {},
  ): Promise<SileroVad> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (err) {
      throw new VadModelError(
        `Silero VAD model not found at '${path}': run 'deno install' (it ships in @ricky0123/vad-web) or set VAD_MODEL_PATH`,
        { cause: err },
      );
    }
    const { ort, runtime } = await pickRuntime(options.runtime ?? "auto");
    let bound: Uint8Array | null = null;
    if (options.bindInputs ?? true) {
      try {
        bound = bindSileroInputs(bytes, { sampleRate: 16000, samples: CONTEXT + WINDOW });
      } catch (err) {
        log.debug("Running the model as shipped: {error}", {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    // The native session alone when it loads; the package's session otherwise (and for its
    // error, when the model itself is at fault).
    const open = async (model: Uint8Array) => {
      const native = runtime === "onnxruntime-node"
        ? await nativeSession(model, SESSION_OPTIONS)
        : null;
      const session = native ? null : await ort.InferenceSession.create(model, SESSION_OPTIONS);
      return { native, session };
    };
    let opened: { native: NativeSession | null; session: Session | null };
    try {
      try {
        opened = await open(bound ?? bytes);
      } catch (err) {
        if (!bound) throw err;
        log.debug("Running the model as shipped: the bound one did not load ({error})", {
          error: err instanceof Error ? err.message : String(err),
        });
        bound = null;
        opened = await open(bytes);
      }
    } catch (err) {
      throw new VadModelError(
        `Cannot load the Silero VAD model '${path}' with ${runtime}: ${
          err instanceof Error ? err.message : err
        }; point VAD_MODEL_PATH at silero_vad_v5.onnx`,
        { cause: err },
      );
    }
    log.info("Silero VAD v5 loaded on {runtime}", { runtime, model: path });
    return new SileroVad(ort, opened.session, runtime, opened.native, bound !== null);
  }

  /** Speech probability of one window of 512 samples in [-1, 1]. */
  probability(window: Float32Array): Promise<number> {
    // The model expects the previous window's last 64 samples in front of the new ones.
    // Windows are run one after another (the state carries over), so `#input` is never
    // refilled while a run still reads it.
    this.#input.copyWithin(0, WINDOW, WINDOW + CONTEXT);
    this.#input.set(window, CONTEXT);
    this.#feeds.state = this.#state;
    const started = performance.now();
    if (this.#native) {
      try {
        return Promise.resolve(this.#take(this.#native.run(this.#feeds, FETCHES, {}), started));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.#session!.run(this.#feeds).then((out) => this.#take(out, started));
  }

  #take(out: Record<string, unknown>, started: number): number {
    if (this.timings.length < 100_000) this.timings.push(performance.now() - started);
    this.#state = out.stateN as Tensor;
    return (out.output as Tensor).data[0] as number;
  }

  reset(): void {
    this.#state = SileroVad.#zeroState(this.#ort);
    this.#input.fill(0);
  }

  async close(): Promise<void> {
    this.#native?.dispose();
    await this.#session?.release();
  }
}
