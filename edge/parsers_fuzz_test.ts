/**
 * @module
 * Generative tests of the edge's parsers fed garbage and truncated input: Realtime server
 * events, the capture framer and the outbox folder. Every case comes from one seeded PRNG, so a
 * run is deterministic; a failure names the seed and the case (rerun with `FUZZ_SEED=<n>`).
 */
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import {
  type ParsedServerFrame,
  parseServerFrame,
  SERVER_EVENT_SCHEMAS,
} from "./realtime/server_events.ts";
import { Framer, InvalidFrameSizeError, SAMPLE_RATE } from "./capture/framer.ts";
import { FileOutboxStore, type OutboxItem } from "./outbox/outbox_store.ts";
import { Outbox } from "./outbox/outbox.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x5eed_2025);

/** mulberry32: small, fast, and the same sequence on every machine. */
class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

/** Runs `body` once per case with its own generator; a failure names the seed and the case. */
async function cases(
  name: string,
  count: number,
  body: (rng: Rng, i: number) => void | Promise<void>,
): Promise<void> {
  const rng = new Rng(SEED ^ hash(name));
  for (let i = 0; i < count; i++) {
    try {
      await body(rng, i);
    } catch (error) {
      throw new Error(
        `${name}: case ${i} failed with FUZZ_SEED=${SEED}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Realtime server events

const STRINGS = [
  "",
  "item_001",
  "évènement",
  'quote " and \\ backslash',
  "line\nbreak\ttab",
  "🎙️ emoji",
  "\u0000nul",
  "\ud800 lone surrogate",
  "__proto__",
  "constructor",
];

function str(rng: Rng): string {
  return rng.chance(0.5) ? rng.pick(STRINGS) : `s${rng.int(0, 1e6)}`;
}

function num(rng: Rng): number {
  return rng.pick([0, 1, -1, 0.5, 1e-9, 123456789, Number.MAX_SAFE_INTEGER, rng.next() * 1e4]);
}

/** The kind each field of a valid event must have; `any` takes every JSON value. */
type Kind = "string" | "string|null" | "number" | "object" | "array" | "union" | "any";

interface Sample {
  event: Record<string, unknown>;
  /** Every path (dot-separated) in `event`, with the kind the parser requires there. */
  fields: Record<string, Kind>;
}

const ERROR_DETAILS_OPTIONAL: Record<string, Kind> = {
  "error.type": "string",
  "error.code": "string|null",
  "error.message": "string",
  "error.param": "string|null",
  "error.event_id": "string|null",
};

/** Builds a valid event of each type the parser accepts, with random contents. */
function validSamples(rng: Rng): Sample[] {
  const head = (type: string) => ({ type, event_id: `event_${rng.int(0, 1e6)}` });
  const base = { type: "string", event_id: "string" } as const;
  const session = () => ({
    type: "transcription",
    id: `sess_${rng.int(0, 1e6)}`,
    audio: rng.pick([{ input: { format: { type: "audio/pcm", rate: 24000 } } }, null, 1, "x"]),
  });
  const sessionFields = { session: "object", "session.type": "string", "session.id": "string" };
  const usage = rng.chance(0.5)
    ? {
      u: { type: "duration", seconds: num(rng) },
      f: { usage: "union", "usage.seconds": "number" },
    }
    : {
      u: {
        type: "tokens",
        input_tokens: num(rng),
        output_tokens: num(rng),
        total_tokens: num(rng),
        input_token_details: { audio_tokens: num(rng), text_tokens: num(rng) },
      },
      f: {
        usage: "union",
        "usage.input_tokens": "number",
        "usage.output_tokens": "number",
        "usage.total_tokens": "number",
        "usage.input_token_details": "object",
        "usage.input_token_details.audio_tokens": "number",
        "usage.input_token_details.text_tokens": "number",
      },
    };
  const errorDetails = () => ({
    type: str(rng),
    code: rng.chance(0.5) ? null : str(rng),
    message: str(rng),
    param: rng.chance(0.5) ? null : str(rng),
    event_id: rng.chance(0.5) ? null : str(rng),
  });
  const samples: Sample[] = [
    {
      event: { ...head("session.created"), session: session() },
      fields: { ...base, ...sessionFields } as Record<string, Kind>,
    },
    {
      event: { ...head("session.updated"), session: session() },
      fields: { ...base, ...sessionFields } as Record<string, Kind>,
    },
    {
      event: {
        ...head("input_audio_buffer.committed"),
        item_id: str(rng),
        previous_item_id: rng.chance(0.5) ? null : str(rng),
      },
      fields: { ...base, item_id: "string", previous_item_id: "string|null" },
    },
    { event: head("input_audio_buffer.cleared"), fields: { ...base } },
    {
      event: {
        ...head("input_audio_buffer.speech_started"),
        item_id: str(rng),
        audio_start_ms: num(rng),
      },
      fields: { ...base, item_id: "string", audio_start_ms: "number" },
    },
    {
      event: {
        ...head("input_audio_buffer.speech_stopped"),
        item_id: str(rng),
        audio_end_ms: num(rng),
      },
      fields: { ...base, item_id: "string", audio_end_ms: "number" },
    },
    {
      event: {
        ...head("conversation.item.input_audio_transcription.delta"),
        item_id: str(rng),
        content_index: num(rng),
        delta: str(rng),
      },
      fields: { ...base, item_id: "string", content_index: "number", delta: "string" },
    },
    {
      event: {
        ...head("conversation.item.input_audio_transcription.completed"),
        item_id: str(rng),
        content_index: num(rng),
        transcript: str(rng),
        usage: usage.u,
      },
      fields: {
        ...base,
        item_id: "string",
        content_index: "number",
        transcript: "string",
        ...usage.f,
      } as Record<string, Kind>,
    },
    {
      event: {
        ...head("conversation.item.input_audio_transcription.failed"),
        item_id: str(rng),
        content_index: num(rng),
        error: errorDetails(),
      },
      fields: {
        ...base,
        item_id: "string",
        content_index: "number",
        error: "object",
        ...ERROR_DETAILS_OPTIONAL,
      },
    },
    {
      event: { ...head("error"), error: errorDetails() },
      fields: { ...base, error: "object", ...ERROR_DETAILS_OPTIONAL },
    },
    {
      event: {
        ...head("rate_limits.updated"),
        rate_limits: [
          { name: "requests", limit: num(rng), remaining: num(rng), reset_seconds: num(rng) },
        ],
      },
      fields: {
        ...base,
        rate_limits: "array",
        "rate_limits.0": "object",
        "rate_limits.0.name": "string",
        "rate_limits.0.limit": "number",
        "rate_limits.0.remaining": "number",
        "rate_limits.0.reset_seconds": "number",
      },
    },
  ];
  for (
    const type of [
      "conversation.item.added",
      "conversation.item.done",
      "conversation.item.created",
      "conversation.created",
      "input_audio_buffer.timeout_triggered",
      "conversation.item.input_audio_transcription.segment",
    ]
  ) {
    samples.push({
      event: { ...head(type), item: { id: str(rng), content: [1, "two", null] } },
      fields: { ...base, item: "any" },
    });
  }
  return samples;
}

Deno.test("validSamples() covers every type in the server event table", () => {
  const types = validSamples(new Rng(SEED)).map((s) => s.event.type).sort();
  assertEquals(types, Object.keys(SERVER_EVENT_SCHEMAS).sort());
});

/** What the parser must answer for a JSON text, worked out without the parser. */
function expected(text: string): "event-or-invalid" | ParsedServerFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "invalid", reason: `not JSON: ${JSON.stringify(text.slice(0, 80))}` };
  }
  if (
    typeof json !== "object" || json === null || Array.isArray(json) ||
    typeof (json as { type?: unknown }).type !== "string"
  ) {
    return { kind: "invalid", reason: "a JSON value without a string 'type'" };
  }
  const type = (json as { type: string }).type;
  if (!Object.hasOwn(SERVER_EVENT_SCHEMAS, type)) return { kind: "unknown", type };
  return "event-or-invalid";
}

const ISSUE = /^(?:[\w.]+|\(root\)): \S.*$/;

/** Every object in `value` has the ordinary prototype: a `__proto__` key swapped none. */
function assertPlain(value: unknown, path = "event", depth = 0): void {
  if (typeof value !== "object" || value === null || depth > 64) return;
  const proto = Object.getPrototypeOf(value);
  assert(
    proto === Object.prototype || proto === Array.prototype,
    `${path} has a foreign prototype`,
  );
  for (const [k, v] of Object.entries(value)) assertPlain(v, `${path}.${k}`, depth + 1);
}

/** The parser's answer, checked against what any input may produce. */
function parseChecked(frame: unknown): ParsedServerFrame {
  let parsed: ParsedServerFrame;
  try {
    parsed = parseServerFrame(frame);
  } catch (error) {
    throw new Error(`parseServerFrame() threw ${error}`);
  }
  if (typeof frame === "string") {
    const want = expected(frame);
    if (want === "event-or-invalid") {
      assert(parsed.kind === "event" || parsed.kind === "invalid", `got ${parsed.kind}`);
      const type = (JSON.parse(frame) as { type: string }).type;
      if (parsed.kind === "event") {
        assertEquals(parsed.event.type, type);
        assertPlain(parsed.event);
      } else {
        assertEquals(parsed.type, type);
        for (const issue of parsed.reason.split("; ")) assert(ISSUE.test(issue), issue);
      }
    } else {
      assertEquals(parsed, want);
    }
  } else {
    assertEquals(parsed, {
      kind: "invalid",
      reason: "binary frame where a JSON text event was expected",
    });
  }
  return parsed;
}

/** Event JSON as text, sometimes pretty-printed (whitespace is legal anywhere between tokens). */
function serialize(rng: Rng, event: unknown): string {
  return rng.chance(0.2)
    ? JSON.stringify(event, null, rng.pick([1, 2, "\t"]))
    : JSON.stringify(event);
}

/** The baseline: a fixed set of valid frames and what they parse to. */
const BASELINE = validSamples(new Rng(SEED)).map((s) => JSON.stringify(s.event));
const BASELINE_PARSED = BASELINE.map((f) => parseServerFrame(f));

function assertNoBrokenState(): void {
  assertEquals(BASELINE.map((f) => parseServerFrame(f)), BASELINE_PARSED);
  assertEquals(Object.keys(Object.prototype), [], "Object.prototype gained keys");
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
}

Deno.test("parseServerFrame() parses every valid event to exactly what was sent", async () => {
  await cases("valid events", 100, (rng) => {
    for (const { event } of validSamples(rng)) {
      const parsed = parseChecked(serialize(rng, event));
      assertEquals(parsed, { kind: "event", event } as ParsedServerFrame);
      // Whitespace around the value is JSON too; any other trailing byte is not.
      assertEquals(parseServerFrame(` \n${JSON.stringify(event)}\r\n\t`), parsed);
      assertEquals(parseChecked(JSON.stringify(event) + "}").kind, "invalid");
    }
  });
});

Deno.test("parseServerFrame() reports every truncation of a valid event as 'not JSON'", async () => {
  let n = 0;
  await cases("truncated events", 3, (rng) => {
    for (const { event } of validSamples(rng)) {
      const text = serialize(rng, event);
      for (let len = 0; len < text.length; len++) {
        const prefix = text.slice(0, len);
        assertEquals(parseServerFrame(prefix), {
          kind: "invalid",
          reason: `not JSON: ${JSON.stringify(prefix.slice(0, 80))}`,
        }, `prefix of ${len} chars`);
        n++;
      }
      assertNoBrokenState();
    }
  });
  assert(n > 2000, `only ${n} prefixes`);
});

const WRONG: { value: unknown; received: string; kind: Kind[] }[] = [
  { value: 42, received: "number", kind: ["number"] },
  { value: -0.5, received: "number", kind: ["number"] },
  { value: "text", received: "string", kind: ["string", "string|null"] },
  { value: true, received: "boolean", kind: [] },
  { value: null, received: "null", kind: ["string|null"] },
  { value: [], received: "array", kind: ["array"] },
  { value: { a: 1 }, received: "object", kind: ["object", "union"] },
];

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let at = target as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
}

Deno.test("parseServerFrame() names the field and both types when a field has the wrong type", async () => {
  let n = 0;
  await cases("wrong field types", 20, (rng) => {
    for (const { event, fields } of validSamples(rng)) {
      for (const [path, kind] of Object.entries(fields)) {
        for (const wrong of WRONG) {
          const broken = structuredClone(event);
          setPath(broken, path, structuredClone(wrong.value));
          const parsed = parseChecked(JSON.stringify(broken));
          n++;
          const accepted = kind === "any" || wrong.kind.includes(kind);
          if (wrong.received === "object" && accepted) {
            // An object for an object: its own fields decide, as the other cases show.
          } else if (path === "type") {
            // A string `type` names another event; anything else has no type at all.
            if (typeof wrong.value !== "string") {
              assertEquals(parsed, {
                kind: "invalid",
                reason: "a JSON value without a string 'type'",
              });
            }
          } else if (accepted) {
            assertEquals(parsed, { kind: "event", event: broken } as ParsedServerFrame, path);
          } else {
            const expect = kind === "union" ? "object" : kind.replace("|null", "");
            assertEquals(parsed, {
              kind: "invalid",
              type: event.type as string,
              reason: `${path}: Invalid input: expected ${expect}, received ${wrong.received}`,
            }, path);
          }
        }
      }
      // A usage whose `type` is neither 'tokens' nor 'duration'.
      const completed = validSamples(rng)[7]!.event;
      const badUsage = structuredClone(completed);
      setPath(badUsage, "usage.type", rng.pick(["bananas", 1, null, "", "Tokens"]));
      assertEquals(parseChecked(JSON.stringify(badUsage)), {
        kind: "invalid",
        type: "conversation.item.input_audio_transcription.completed",
        reason: "usage.type: Invalid discriminator value. Expected 'tokens' | 'duration'",
      });
      assertNoBrokenState();
    }
  });
  assert(n > 3000, `only ${n} cases`);
});

Deno.test("parseServerFrame() names each missing required field", async () => {
  await cases("missing fields", 20, (rng) => {
    for (const { event, fields } of validSamples(rng)) {
      for (const key of Object.keys(event)) {
        if (key === "type" || fields[key] === "any") continue;
        const broken = structuredClone(event);
        delete broken[key];
        const parsed = parseChecked(JSON.stringify(broken));
        if (parsed.kind === "invalid") {
          const expect = fields[key] === "union" ? "object" : fields[key]!.replace("|null", "");
          assertEquals(
            parsed.reason,
            `${key}: Invalid input: expected ${expect}, received undefined`,
          );
        } else {
          // Optional fields may go; the rest of the event is kept as sent.
          assertEquals(parsed, { kind: "event", event: broken } as ParsedServerFrame);
        }
      }
    }
  });
});

const KEYS = [
  "type",
  "event_id",
  "item_id",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "polluted",
  "error",
  "session",
  "usage",
  "",
];
const TYPES = [
  ...Object.keys(SERVER_EVENT_SCHEMAS),
  "response.done",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "",
  "ERROR",
];

/** Random JSON text built by hand, so that `__proto__` keys stay plain data keys. */
function randomJson(rng: Rng, depth = 0): string {
  const roll = rng.int(0, depth > 3 ? 5 : 8);
  switch (roll) {
    case 0:
      return "null";
    case 1:
      return rng.pick(["true", "false"]);
    case 2:
      return String(num(rng));
    case 3:
    case 4:
      return JSON.stringify(str(rng));
    case 5:
      return JSON.stringify(rng.pick(TYPES));
    case 6: {
      const n = rng.int(0, 4);
      return `[${Array.from({ length: n }, () => randomJson(rng, depth + 1)).join(",")}]`;
    }
    default: {
      const n = rng.int(0, 6);
      const members = Array.from({ length: n }, () => {
        const key = rng.chance(0.8) ? rng.pick(KEYS) : str(rng);
        const value = key === "type" && rng.chance(0.7)
          ? JSON.stringify(rng.pick(TYPES))
          : randomJson(rng, depth + 1);
        return `${JSON.stringify(key)}:${value}`;
      });
      return `{${members.join(",")}}`;
    }
  }
}

/** A valid event with a `__proto__` member spliced in at the top or inside a nested object. */
function withProtoKey(rng: Rng, event: Record<string, unknown>): string {
  const text = JSON.stringify(event);
  const payload = `"__proto__":{"polluted":true,"type":"error"}`;
  const at = [...text.matchAll(/\{/g)].map((m) => m.index!);
  const i = rng.pick(at);
  const empty = text[i + 1] === "}";
  return `${text.slice(0, i + 1)}${payload}${empty ? "" : ","}${text.slice(i + 1)}`;
}

Deno.test("parseServerFrame() answers random JSON with an event, 'unknown' or a clear 'invalid'", async () => {
  const seen = { event: 0, unknown: 0, invalid: 0 };
  await cases("random JSON", 4000, (rng, i) => {
    const text = randomJson(rng);
    seen[parseChecked(text).kind]++;
    // Mutate a valid event: drop, splice or duplicate a random span.
    const sample = rng.pick(validSamples(rng)).event;
    const valid = JSON.stringify(sample);
    const a = rng.int(0, valid.length);
    const b = rng.int(a, Math.min(valid.length, a + 20));
    const mutated = rng.pick([
      valid.slice(0, a) + valid.slice(b),
      valid.slice(0, a) + randomJson(rng, 3) + valid.slice(b),
      valid.slice(0, b) + valid.slice(a),
    ]);
    seen[parseChecked(mutated).kind]++;
    // `__proto__` is data: the event still parses, nothing is polluted, its prototype is plain.
    const proto = parseChecked(withProtoKey(rng, sample));
    assertEquals(proto.kind, "event");
    seen[proto.kind]++;
    if (i % 100 === 0) assertNoBrokenState();
  });
  assertNoBrokenState();
  // The generator reaches all three outcomes, not just one.
  assert(seen.event > 100 && seen.unknown > 100 && seen.invalid > 100, JSON.stringify(seen));
});

Deno.test("parseServerFrame() turns non-JSON bytes and non-text frames into 'invalid'", async () => {
  const decoder = new TextDecoder();
  await cases("non-JSON bytes", 2000, (rng, i) => {
    const bytes = rng.bytes(rng.int(0, 200));
    parseChecked(bytes);
    parseChecked(bytes.buffer);
    parseChecked(decoder.decode(bytes));
    // Control characters and bytes glued to a valid event.
    const valid = JSON.stringify(rng.pick(validSamples(rng)).event);
    parseChecked(decoder.decode(bytes.subarray(0, 3)) + valid);
    parseChecked(valid + decoder.decode(bytes.subarray(0, 3)));
    if (i % 100 === 0) assertNoBrokenState();
  });
  for (const frame of [undefined, null, 0, 1n, true, {}, [], new Blob(["{}"]), Symbol("x")]) {
    parseChecked(frame);
  }
  assertNoBrokenState();
});

Deno.test("parseServerFrame() handles huge and deeply nested frames, and keeps 'not JSON' reasons short", () => {
  const big = "x".repeat(4 << 20);
  const completed = {
    type: "conversation.item.input_audio_transcription.completed",
    event_id: "e",
    item_id: "i",
    content_index: 0,
    transcript: big,
  };
  const parsed = parseChecked(JSON.stringify(completed));
  assertEquals(parsed, { kind: "event", event: completed } as ParsedServerFrame);
  const notJson = parseChecked(`{"transcript":"${big}`);
  assert(notJson.kind === "invalid" && notJson.reason.length < 100, "reason quotes 80 chars");
  // Every one of many bad entries is named, without a crash.
  const limits = parseChecked(JSON.stringify({
    type: "rate_limits.updated",
    event_id: "e",
    rate_limits: Array.from({ length: 10_000 }, () => ({ limit: "many" })),
  }));
  assert(limits.kind === "invalid");
  assertEquals(limits.reason.split("; ").length, 10_000);
  assertEquals(
    limits.reason.split("; ")[9_999],
    "rate_limits.9999.limit: Invalid input: expected number, received string",
  );
  const deep = "[".repeat(50_000) + "]".repeat(50_000);
  parseChecked(deep);
  parseChecked(`{"type":"error","event_id":"e","error":{"type":"t","message":"m"},"x":${deep}}`);
  parseChecked("[".repeat(50_000));
  parseChecked(`{"type":"${"t".repeat(1 << 20)}"}`);
  assertNoBrokenState();
});

// ---------------------------------------------------------------------------------------------
// Capture framer

function pcmStream(rng: Rng, samples: number): Uint8Array {
  const bytes = new Uint8Array(samples * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples; i++) {
    // Extremes and sign changes catch byte-order and sign-extension slips.
    const v = rng.chance(0.1)
      ? rng.pick([-32768, 32767, -1, 0, 1, 256, -256])
      : rng.int(-32768, 32767);
    view.setInt16(i * 2, v, true);
  }
  return bytes;
}

/** Chunk sizes a pipe may deliver: empty, single bytes, odd sizes, 641, around a frame, huge. */
function chunkSize(rng: Rng, frameBytes: number): number {
  switch (rng.int(0, 8)) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return rng.int(1, 20) * 2 + 1;
    case 3:
      return 641;
    case 4:
      return frameBytes + rng.int(-1, 1);
    case 5:
      return 1 << 20;
    default:
      return rng.int(0, 3 * frameBytes);
  }
}

Deno.test("Framer turns any split of a PCM stream into the same whole, timed frames", async () => {
  let frameCount = 0;
  await cases("framer splits", 1500, (rng) => {
    const ms = rng.pick([10, 20, 30] as const);
    const framer = new Framer(ms);
    const per = (SAMPLE_RATE * ms) / 1000;
    assertEquals(framer.frameSamples, per);
    const samples = rng.chance(0.1) ? rng.int(0, 2 * per) : rng.int(0, 6000);
    // An odd trailing byte: half a sample, as when the capture process dies mid-write.
    const stream = pcmStream(rng, samples);
    const total = rng.chance(0.2) ? stream.subarray(0, Math.max(0, stream.length - 1)) : stream;
    const original = total.slice();
    // Chunks are views into a larger buffer at odd offsets, like subarrays of a pipe read.
    const backing = new Uint8Array(total.length + 3);
    backing.set(total, 1);
    const frames = [];
    let fed = 0;
    while (fed < total.length || rng.chance(0.1)) {
      const size = Math.min(chunkSize(rng, per * 2), total.length - fed);
      const chunk = backing.subarray(1 + fed, 1 + fed + size);
      const got = framer.push(chunk);
      fed += size;
      frames.push(...got);
      assertEquals(framer.pendingBytes, fed - frames.length * per * 2, `after ${fed} bytes`);
      if (fed >= total.length) break;
    }
    const whole = Math.floor(total.length / (per * 2));
    assertEquals(frames.length, whole);
    // The trailing partial frame is held (not emitted, not padded): it is dropped at the end.
    assertEquals(framer.pendingBytes, total.length - whole * per * 2);
    const joined = new Uint8Array(whole * per * 2);
    const joinedView = new DataView(joined.buffer);
    frames.forEach((f, i) => {
      assertEquals(f.index, i);
      assertEquals(f.t_ms, i * ms);
      assertEquals(f.samples.length, per);
      f.samples.forEach((s, j) => joinedView.setInt16((i * per + j) * 2, s, true));
    });
    assertEquals(joined, original.subarray(0, joined.length), "samples differ from the input");
    assertEquals(total, original, "the framer changed its input");
    frameCount += frames.length;
  });
  assert(frameCount > 5_000, `only ${frameCount} frames`);
});

Deno.test("Framer frames handed out are not changed by later input", () => {
  const rng = new Rng(SEED);
  const framer = new Framer(10);
  const first = pcmStream(rng, 160);
  const [frame] = framer.push(first);
  const copy = frame!.samples.slice();
  framer.push(pcmStream(rng, 1000));
  assertEquals(frame!.samples, copy);
});

Deno.test("Framer rejects every frame size other than 10, 20 or 30 ms with one message", async () => {
  await cases("frame sizes", 200, (rng) => {
    const ms = rng.pick([0, -10, 15, 20.5, 25, 40, NaN, Infinity, 1e9, rng.next() * 100]);
    assertThrows(
      () => new Framer(ms),
      InvalidFrameSizeError,
      `Cannot frame audio as 'frameMs' must be 10, 20 or 30: current value is ${ms}`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Outbox folder

const enc = new TextEncoder();

function randomItem(rng: Rng, id: string): OutboxItem {
  const ms = Date.UTC(2025, 0, 1) + rng.int(0, 5) * 500 + rng.pick([0, 0, 7, 120]);
  // Valid ISO forms of different precision, as written by other tools or by hand.
  const iso = new Date(ms).toISOString();
  const enqueued_at = ms % 1000 === 0 && rng.chance(0.5)
    ? iso.replace(".000Z", "Z")
    : ms % 1000 !== 0 && ms % 100 === 0 && rng.chance(0.5)
    ? iso.replace(/0+Z$/, "Z")
    : iso;
  const item: OutboxItem = {
    version: 1,
    utterance_id: id,
    text: rng.pick(["open the dashboard", 'résumé «quoted» "text"\n', "x".repeat(8000), "🎙️"]),
    source: rng.pick(["voice", "api"] as const),
    enqueued_at,
  };
  if (rng.chance(0.3)) item.meta = { model: "gpt-4o-transcribe", usage: { seconds: 1.5 } };
  return item;
}

interface Bad {
  name: string;
  bytes: Uint8Array;
  /** The exact reason logged, where the module defines it. */
  why?: string;
}

/** Garbage for the outbox folder; `id` names the file, `other` a valid item to damage. */
function badFile(rng: Rng, id: string, other: OutboxItem): Bad {
  const text = JSON.stringify(other);
  const name = `${id}.json`;
  switch (rng.int(0, 11)) {
    case 0:
      return { name, bytes: new Uint8Array(), why: "Unexpected end of JSON input" };
    case 1: {
      const cut = text.slice(0, rng.int(1, text.length - 1));
      return { name, bytes: enc.encode(cut) };
    }
    case 2:
      return {
        name,
        bytes: enc.encode(JSON.stringify({ ...other, utterance_id: id, version: 2 })),
        why: "version: Invalid input: expected 1",
      };
    case 3:
      return {
        name,
        bytes: enc.encode(JSON.stringify({ ...other, utterance_id: id, text: "" })),
        why: "text: Too small: expected string to have >=1 characters",
      };
    case 4:
      return {
        name,
        bytes: enc.encode(JSON.stringify({ ...other, utterance_id: id, enqueued_at: "yesterday" })),
        why: "enqueued_at: Invalid ISO datetime",
      };
    case 5:
      return {
        name,
        bytes: enc.encode(rng.pick(["null", "[]", "42", '"text"', "{}"])),
      };
    case 6:
      // A whole item saved under another utterance's name.
      return {
        name,
        bytes: enc.encode(text),
        why: `its utterance_id '${other.utterance_id}' does not match the file name`,
      };
    case 7:
      return { name, bytes: rng.bytes(rng.int(1, 300)) };
    case 8:
      // A huge file: a disk fault or a runaway writer.
      return { name, bytes: new Uint8Array(rng.int(1, 3) << 20).fill(0x61) };
    case 9:
      // A write cut short before its flush: only the temporary file exists.
      return {
        name: `${id}.json.tmp-${rng.int(1, 99999)}-${rng.int(1, 9)}`,
        bytes: enc.encode(JSON.stringify({ ...other, utterance_id: id }).slice(0, rng.int(0, 40))),
      };
    case 10:
      return {
        name,
        bytes: enc.encode(JSON.stringify({ ...other, utterance_id: id, source: "fax" })),
        why: 'source: Invalid option: expected one of "voice"|"api"',
      };
    default:
      return {
        name,
        bytes: enc.encode(JSON.stringify({ ...other, utterance_id: "../escape" })),
        why: "utterance_id: must be 1-128 characters of letters, digits, '_' or '-', " +
          "starting with a letter or digit",
      };
  }
}

function byTime(a: OutboxItem, b: OutboxItem): number {
  return Date.parse(a.enqueued_at) - Date.parse(b.enqueued_at) ||
    (a.utterance_id < b.utterance_id ? -1 : 1);
}

async function listDir(dir: string): Promise<Map<string, Deno.DirEntry>> {
  const out = new Map<string, Deno.DirEntry>();
  for await (const e of Deno.readDir(dir)) out.set(e.name, e);
  return out;
}

Deno.test({
  name: "FileOutboxStore.load() keeps every valid utterance in order and sets garbage aside",
  permissions: { read: true, write: true },
  fn: async () => {
    const records: LogRecord[] = [];
    await configure({
      reset: true,
      sinks: { memory: (r) => void records.push(r) },
      loggers: [
        { category: ["edge", "outbox"], sinks: ["memory"], lowestLevel: "debug" },
        { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
      ],
    });
    const root = await Deno.makeTempDir({ prefix: "outbox_fuzz_" });
    try {
      let kept = 0;
      let setAside = 0;
      await cases("outbox folders", 60, async (rng, round) => {
        records.length = 0;
        const dataDir = join(root, `round${round}`);
        const store = new FileOutboxStore(dataDir);
        const dir = store.dir;
        await Deno.mkdir(dir, { recursive: true });
        const valid: OutboxItem[] = [];
        const bads: Bad[] = [];
        const count = rng.int(0, 8);
        for (let i = 0; i < count; i++) {
          const item = randomItem(rng, `u${round}_${i}`);
          valid.push(item);
          const how = rng.int(0, 4);
          if (how === 0) await store.put(item);
          else if (how === 1) {
            // Written and flushed, but the rename never happened.
            const tmp = join(dir, `${item.utterance_id}.json.tmp-${rng.int(1, 9999)}-1`);
            await Deno.writeTextFile(tmp, JSON.stringify(item) + "\n");
          } else if (how === 2) {
            // Both the file and a leftover temporary copy of it.
            await Deno.writeTextFile(join(dir, `${item.utterance_id}.json`), JSON.stringify(item));
            await Deno.writeTextFile(
              join(dir, `${item.utterance_id}.json.tmp-7-${i}`),
              JSON.stringify(item),
            );
          } else if (how === 3) {
            // A `__proto__` member is plain data and ignored like any unknown field.
            const text = JSON.stringify(item).replace("{", '{"__proto__":{"polluted":1},');
            await Deno.writeTextFile(join(dir, `${item.utterance_id}.json`), text);
          } else {
            await Deno.writeTextFile(
              join(dir, `${item.utterance_id}.json`),
              JSON.stringify(item, null, 2),
            );
          }
        }
        const other = randomItem(rng, `other${round}`);
        for (let i = 0, n = rng.int(0, 6); i < n; i++) {
          const bad = badFile(rng, `bad${round}_${i}`, other);
          bads.push(bad);
          await Deno.writeFile(join(dir, bad.name), bad.bytes);
        }
        // Entries that are not outbox files are left alone.
        await Deno.mkdir(join(dir, "folder.json"));
        await Deno.writeTextFile(join(dir, "notes.txt"), "not an item");
        // Sometimes `corrupt` is a plain file, so nothing can be moved aside.
        const blocked = rng.chance(0.15);
        if (blocked) await Deno.writeTextFile(join(dir, "corrupt"), "in the way");

        const { items, corrupt } = await store.load();

        const want = valid.toSorted(byTime);
        assertEquals(
          items.map((i) => `${i.utterance_id}@${i.enqueued_at}`),
          want.map((i) => `${i.utterance_id}@${i.enqueued_at}`),
          "valid utterances, oldest first",
        );
        assertEquals(items, want);
        assertEquals(corrupt.toSorted(), bads.map((b) => b.name).sort());
        assertEquals(Object.keys(Object.prototype), []);
        const left = await listDir(dir);
        const aside = blocked
          ? new Map()
          : await listDir(join(dir, "corrupt")).catch(() => new Map());
        for (const bad of bads) {
          const logged = records.find((r) => r.level === "error" && r.properties.file === bad.name);
          assert(logged, `no error logged for ${bad.name}`);
          if (bad.why !== undefined) assertEquals(logged.properties.why, bad.why);
          if (blocked) {
            // Not movable: left where it was, untouched, and said so.
            assertEquals(await Deno.readFile(join(dir, bad.name)), bad.bytes);
            assertEquals(logged.message.join("").includes("could not be moved aside"), true);
          } else {
            assert(!left.has(bad.name), `${bad.name} is still in the outbox`);
            const moved = [...aside.keys()].filter((n) =>
              n.startsWith(`${bad.name}.`) && /^\d+$/.test(n.slice(bad.name.length + 1))
            );
            assertEquals(moved.length, 1, `${bad.name} in corrupt/`);
            assertEquals(await Deno.readFile(join(dir, "corrupt", moved[0]!)), bad.bytes);
          }
        }
        // Every valid utterance now has exactly its final file; no temporary copies remain.
        const expectedLeft = [
          ...valid.map((v) => `${v.utterance_id}.json`),
          "folder.json",
          "notes.txt",
          ...(bads.length > 0 || blocked ? ["corrupt"] : []),
          ...(blocked ? bads.map((b) => b.name) : []),
        ].sort();
        assertEquals([...left.keys()].sort(), expectedLeft);
        assert(left.get("folder.json")!.isDirectory);

        // Loading again finds the same utterances, and nothing new to set aside.
        const again = await store.load();
        assertEquals(again.items, items);
        assertEquals(again.corrupt, blocked ? corrupt : []);

        // The outbox takes them up in the same order.
        if (round % 10 === 0) {
          const outbox = await Outbox.open({ dataDir, tracer: () => {} });
          assertEquals(outbox.pendingIds(), items.map((i) => i.utterance_id));
          await outbox.close();
        }
        kept += items.length;
        setAside += corrupt.length;
      });
      assert(kept > 100 && setAside > 100, `kept ${kept}, set aside ${setAside}`);
    } finally {
      await reset();
      await Deno.remove(root, { recursive: true });
    }
  },
});
