/**
 * @module
 * Silero VAD v5 through onnxruntime-node: one speech probability per 512-sample window at
 * 16 kHz, carrying the model's [2,1,128] state and the 64-sample context between windows. The
 * model file comes from the installed `@ricky0123/vad-web` package, never from the network.
 */
import * as ort from "onnxruntime-node";

export const WINDOW = 512;
const CONTEXT = 64;

/** Where the model is: `VAD_MODEL_PATH`, else the copy inside the installed package. */
export function defaultModelPath(): string {
  try {
    const fromEnv = Deno.env.get("VAD_MODEL_PATH");
    if (fromEnv) return fromEnv;
  } catch { /* no env permission: use the package */ }
  return new URL("../../node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx", import.meta.url)
    .pathname;
}

export class VadModelError extends Error {
  override name = "VadModelError";
}

export class SileroVad {
  readonly #session: ort.InferenceSession;
  #state: ort.Tensor = new ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]);
  readonly #sr = new ort.Tensor("int64", BigInt64Array.from([16000n]), []);
  readonly #input = new Float32Array(CONTEXT + WINDOW);
  /** Inference times in ms (bounded), for latency summaries. */
  readonly timings: number[] = [];

  private constructor(session: ort.InferenceSession) {
    this.#session = session;
  }

  static async load(path = defaultModelPath()): Promise<SileroVad> {
    try {
      await Deno.stat(path);
    } catch {
      throw new VadModelError(
        `Silero VAD model not found at '${path}': run 'deno install' (it ships in @ricky0123/vad-web) or set VAD_MODEL_PATH`,
      );
    }
    const session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    return new SileroVad(session);
  }

  /** Speech probability of one window of 512 samples in [-1, 1]. */
  async probability(window: Float32Array): Promise<number> {
    // The model expects the previous window's last 64 samples in front of the new ones.
    this.#input.copyWithin(0, WINDOW, WINDOW + CONTEXT);
    this.#input.set(window, CONTEXT);
    const started = performance.now();
    const out = await this.#session.run({
      input: new ort.Tensor("float32", this.#input.slice(), [1, CONTEXT + WINDOW]),
      state: this.#state,
      sr: this.#sr,
    });
    if (this.timings.length < 100_000) this.timings.push(performance.now() - started);
    this.#state = out.stateN as ort.Tensor;
    return (out.output as ort.Tensor).data[0] as number;
  }

  reset(): void {
    this.#state = new ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]);
    this.#input.fill(0);
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}
