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
  readonly #session: Session;
  #state: Tensor;
  readonly #sr: Tensor;
  readonly #input = new Float32Array(CONTEXT + WINDOW);
  /** Inference times in ms (bounded), for latency summaries. */
  readonly timings: number[] = [];

  private constructor(ort: Ort, session: Session, runtime: VadRuntime) {
    this.#ort = ort;
    this.#session = session;
    this.runtime = runtime;
    this.#state = SileroVad.#zeroState(ort);
    this.#sr = new ort.Tensor("int64", BigInt64Array.from([16000n]), []);
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
    let session: Session;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
      });
    } catch (err) {
      throw new VadModelError(
        `Cannot load the Silero VAD model '${path}' with ${runtime}: ${
          err instanceof Error ? err.message : err
        }; point VAD_MODEL_PATH at silero_vad_v5.onnx`,
        { cause: err },
      );
    }
    log.info("Silero VAD v5 loaded on {runtime}", { runtime, model: path });
    return new SileroVad(ort, session, runtime);
  }

  /** Speech probability of one window of 512 samples in [-1, 1]. */
  async probability(window: Float32Array): Promise<number> {
    // The model expects the previous window's last 64 samples in front of the new ones.
    this.#input.copyWithin(0, WINDOW, WINDOW + CONTEXT);
    this.#input.set(window, CONTEXT);
    const started = performance.now();
    const out = await this.#session.run({
      input: new this.#ort.Tensor("float32", this.#input.slice(), [1, CONTEXT + WINDOW]),
      state: this.#state,
      sr: this.#sr,
    });
    if (this.timings.length < 100_000) this.timings.push(performance.now() - started);
    this.#state = out.stateN as Tensor;
    return (out.output as Tensor).data[0] as number;
  }

  reset(): void {
    this.#state = SileroVad.#zeroState(this.#ort);
    this.#input.fill(0);
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}
