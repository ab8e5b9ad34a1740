/**
 * @module
 * A small multinomial logistic regression over {@link utteranceFeatures}: given an utterance,
 * how likely each set of intents is ("coding", "browser+coding", "" for none). It is trained in
 * a fraction of a second, deterministically (a seeded shuffle, a fixed number of passes), so the
 * same corpus always gives the same model and no weights file can go stale. Pure.
 *
 * The lexicon router decides by what a clause acts on and says why; this model has only seen
 * labelled requests, but it weighs every word of them, so it still has an opinion where a
 * request names a tool or a thing no word list holds. `second_opinion.ts` decides when that
 * opinion is worth more than the lexicons' own.
 */
import { utteranceFeatures } from "./features.ts";

export interface LabelledText {
  text: string;
  /** The intents the text should reach; empty for none. */
  intents: readonly string[];
}

export interface TrainOptions {
  /** Passes over the corpus. @default 30 */
  epochs?: number;
  /** Step size. @default 0.5 */
  rate?: number;
  /** Weight decay per step. @default 1e-4 */
  decay?: number;
  /** Seed of the shuffle. @default 1 */
  seed?: number;
}

export interface IntentPrediction {
  /** The most likely set of intents, sorted; empty for none. */
  intents: string[];
  /** Its probability, 0..1. */
  confidence: number;
}

const BIAS = "";

/** "browser+coding" for a set of intents; "" for none. */
export function labelOf(intents: readonly string[]): string {
  return [...new Set(intents)].sort().join("+");
}

/** Mulberry32: a tiny seeded generator, so that training is repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function softmaxInto(z: Float64Array): void {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp(z[i]! - max);
  for (let i = 0; i < z.length; i++) z[i]! /= sum;
}

export class IntentModel {
  readonly #labels: string[];
  /** Feature → the offset of its row (one weight per label) in `#weights`. */
  readonly #rows: Map<string, number>;
  readonly #weights: Float64Array;
  #intents?: ReadonlySet<string>;

  private constructor(labels: string[], rows: Map<string, number>, weights: Float64Array) {
    this.#labels = labels;
    this.#rows = rows;
    this.#weights = weights;
  }

  /** The sets of intents it can answer, as labels ("browser+coding", "" for none). */
  get labels(): readonly string[] {
    return this.#labels;
  }

  /** Every intent that appears in some label. */
  get intents(): ReadonlySet<string> {
    return this.#intents ??= new Set(this.#labels.flatMap((l) => l ? l.split("+") : []));
  }

  static train(corpus: readonly LabelledText[], options: TrainOptions = {}): IntentModel {
    const epochs = options.epochs ?? 30;
    const rate = options.rate ?? 0.5;
    const decay = options.decay ?? 1e-4;
    const labels = [...new Set(corpus.map((c) => labelOf(c.intents)))].sort();
    const width = labels.length;
    const index = new Map(labels.map((l, i) => [l, i]));
    // Weights live in one flat array, a row of `width` per feature: training touches about
    // forty rows per text, thirty times over, and typed offsets keep that loop tight.
    const rows = new Map<string, number>([[BIAS, 0]]);
    const texts = corpus.map((c) =>
      Int32Array.from([BIAS, ...utteranceFeatures(c.text)], (f) => {
        let row = rows.get(f);
        if (row === undefined) rows.set(f, row = rows.size * width);
        return row;
      })
    );
    const w = new Float64Array(rows.size * width);
    const target = corpus.map((c) => index.get(labelOf(c.intents))!);
    const random = seeded(options.seed ?? 1);
    const order = corpus.map((_, i) => i);
    const z = new Float64Array(width);
    for (let epoch = 0; epoch < epochs; epoch++) {
      // Fisher-Yates with the seeded generator: a new order each pass, the same every run.
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const k of order) {
        const features = texts[k]!;
        z.fill(0);
        for (const row of features) for (let l = 0; l < width; l++) z[l]! += w[row + l]!;
        softmaxInto(z);
        z[target[k]!]! -= 1;
        // Longer texts have more features: scale the step so each text weighs about the same.
        const step = rate / Math.sqrt(features.length);
        for (const row of features) {
          for (let l = 0; l < width; l++) w[row + l]! -= step * z[l]! + decay * w[row + l]!;
        }
      }
    }
    return new IntentModel(labels, rows, w);
  }

  /** The probability of each label ("browser+coding", "" for none) for a text. */
  probabilities(text: string): Map<string, number> {
    const z = this.#distribution(text);
    return new Map(this.#labels.map((l, i) => [l, z[i]!]));
  }

  /** The most likely set of intents for a text, with its probability. */
  predict(text: string): IntentPrediction {
    const z = this.#distribution(text);
    let best = 0;
    for (let l = 1; l < z.length; l++) if (z[l]! > z[best]!) best = l;
    const label = this.#labels[best] ?? "";
    return { intents: label ? label.split("+") : [], confidence: z[best] ?? 0 };
  }

  /** Each label's probability, in label order. */
  #distribution(text: string): Float64Array {
    const width = this.#labels.length;
    const z = new Float64Array(width);
    for (const f of [BIAS, ...utteranceFeatures(text)]) {
      const row = this.#rows.get(f);
      if (row !== undefined) { for (let l = 0; l < width; l++) z[l]! += this.#weights[row + l]!; }
    }
    softmaxInto(z);
    return z;
  }
}
