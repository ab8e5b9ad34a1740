import { assertEquals } from "../testing/asserts.ts";
import {
  REDACTED,
  redactShapes,
  redactText,
  registerSecrets,
  SECRET_HINT,
  SECRET_PATTERNS,
} from "./redact.ts";

const cases: [string, string, string][] = [
  ["bearer header", "Authorization: Bearer abcdefgh12345", `Authorization: ${REDACTED}`],
  ["anthropic key", "key sk-ant-api03-abcdef123456 used", `key ${REDACTED} used`],
  ["openai key", "sk-proj-ABCDEFGH1234", REDACTED],
  ["google key", "AIzaSyA1234567890abcdefghijklmno", REDACTED],
  ["json api key field", `{"x-api-key":"plainvalue123"}`, `{"x-api-key":"${REDACTED}"}`],
  ["subprotocol key", "openai-insecure-api-key.sk123456", REDACTED],
  ["harmless text", "refactor the router", "refactor the router"],
];

for (const [name, input, expected] of cases) {
  Deno.test(`redactText() hides ${name}`, () => {
    assertEquals(redactText(input), expected);
  });
}

Deno.test("redactText() hides registered secret values of any shape", () => {
  registerSecrets(["canary-7f3a9-token"]);
  assertEquals(redactText("got canary-7f3a9-token here"), `got ${REDACTED} here`);
});

/** Pieces that make and unmake credential shapes: prefixes, separators, case changes. */
const PIECES = [
  "Bearer ",
  "bearer\t",
  "BEARER  ",
  "sk-",
  "SK-",
  "sk-ant-",
  "AIza",
  "aiza",
  "openai-insecure-api-key.",
  "x-api-key",
  "X-Goog-Api-Key",
  "api_key",
  "apikey",
  "API-KEY",
  "api",
  "key",
  "Authorization",
  "token",
  "ToKeN",
  '"',
  ":",
  "=",
  " ",
  ",",
  "}",
  "{",
  "-",
  "_",
  ".",
  "abcdefgh",
  "XYZ0123456789",
  "tok",
  "en",
  "bear",
  "er",
  "task-",
  "écho",
  "\n",
];

/** Deterministic pseudo-random generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("redactText() gives what every pattern applied in full gives, over many texts", () => {
  const next = random(17);
  let redacted = 0;
  for (let i = 0; i < 20_000; i++) {
    let text = "";
    const parts = 1 + Math.floor(next() * 12);
    for (let j = 0; j < parts; j++) text += PIECES[Math.floor(next() * PIECES.length)];
    const expected = redactShapes(text);
    if (expected !== text) redacted++;
    assertEquals(redactText(text), expected, `text: ${JSON.stringify(text)}`);
  }
  // The texts reach both sides of the quick check, and redaction itself.
  assertEquals(redacted > 1000, true, `only ${redacted} texts held a credential shape`);
});

Deno.test("SECRET_HINT is found in every match of every credential shape", () => {
  const samples = [
    "Bearer abcdefgh12345",
    "sk-ant-api03-abcdef123456",
    "sk-proj-ABCDEFGH1234",
    "AIzaSyA1234567890abcdefghijklmno",
    "openai-insecure-api-key.sk123456",
    `"x-api-key":"plainvalue123"`,
    `"x-goog-api-key": "plainvalue123"`,
    "api_key=abcdef",
    "apikey: abcdef",
    "API-KEY=abcdef",
    "Authorization: abcdef",
    "TOKEN=abcdefgh",
    `{"token":"abcdef"}`,
  ];
  for (const sample of samples) {
    let matched = false;
    for (const pattern of SECRET_PATTERNS) {
      for (const m of sample.matchAll(new RegExp(pattern.source, pattern.flags))) {
        matched = true;
        assertEquals(SECRET_HINT.test(m[0]), true, `match ${JSON.stringify(m[0])} of ${pattern}`);
      }
    }
    assertEquals(matched, true, `no pattern matched ${JSON.stringify(sample)}`);
  }
});

Deno.test("redactText() returns a trace line without a credential shape unchanged", () => {
  const line = `{"ts":"2026-12-03T15:36:02.631Z","trace_id":"load-1","source":"gateway.router",` +
    `"event":"utterance.routed","data":{"text":"echo benchmark","source":"api"}}`;
  assertEquals(SECRET_HINT.test(line), false);
  assertEquals(redactText(line), line);
});
