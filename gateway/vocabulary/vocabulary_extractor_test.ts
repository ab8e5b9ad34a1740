import { assert, assertEquals } from "@shared/testing/asserts.ts";
import {
  extractVocabulary,
  MAX_TERM_CHARS,
  MAX_VOCABULARY_TERMS,
  sanitizeTerm,
} from "./vocabulary_extractor.ts";

Deno.test("extractVocabulary() ranks declared identifiers and file names by mentions", () => {
  const files = [
    {
      path: "src/job_store.ts",
      text: "export class JobStore {}\nexport const MAX_ATTEMPTS = 3;\nfunction helper() {}",
    },
    {
      path: "src/engine.ts",
      text: [
        'import { JobStore, MAX_ATTEMPTS } from "./job_store.ts";',
        "export function createEngine(store: JobStore) { return new JobStore(); }",
        "const x = MAX_ATTEMPTS;",
      ].join("\n"),
    },
    { path: "src/engine_test.ts", text: "class TestOnlyThing {}\nnew JobStore(); createEngine();" },
    { path: "node_modules/dep/index.ts", text: "export class DependencyThing {}" },
    { path: "assets/logo.png", text: null },
    { path: "deno.lock", text: null },
    { path: "src/cli.ts", text: "def run_server(): pass" },
  ];
  // Mentions outside tests: JobStore 4, MAX_ATTEMPTS 3, run_server and createEngine 1 (ties:
  // shorter first); job_store.ts 1 (the import, whole), engine.ts 0.
  assertEquals(extractVocabulary(files), [
    "JobStore",
    "MAX_ATTEMPTS",
    "run_server",
    "createEngine",
    "job_store.ts",
    "engine.ts",
  ]);
  const terms = extractVocabulary(files);
  // Plain words (helper), test-only names, dependencies, lock files and short names stay out.
  for (const absent of ["helper", "TestOnlyThing", "DependencyThing", "deno.lock", "cli.ts"]) {
    assert(!terms.includes(absent), absent);
  }
});

Deno.test("extractVocabulary() takes top-level declarations and one name per file stem", () => {
  const files = [
    {
      path: "src/queue.ts",
      text: [
        "export interface QueueItem {}",
        "function outer() {",
        "  const localThing = 1;",
        "  return localThing;",
        "}",
        "pub fn rust_thing() {}",
        "export default async function startQueue() {}",
      ].join("\n"),
    },
    { path: "docs/queue.md", text: "See queue.ts and queue.md; QueueItem." },
    { path: "src/Queue.py", text: "class PyQueue:\n    def inner_method(self): pass" },
  ];
  // QueueItem 2 mentions; then 1 each, shorter first. Queue.py and queue.md share queue.ts's
  // stem; localThing and inner_method are not top level.
  assertEquals(extractVocabulary(files), [
    "QueueItem",
    "PyQueue",
    "queue.ts",
    "rust_thing",
    "startQueue",
  ]);
});

Deno.test("extractVocabulary() caps the list and drops case-insensitive duplicates", () => {
  const text = Array.from({ length: 300 }, (_, i) => `export const termNumber${i} = ${i};`)
    .join("\n");
  const terms = extractVocabulary([{ path: "big.ts", text }, {
    path: "other.py",
    text: "class TermNumber1: pass\nclass termnumber2: pass",
  }]);
  assertEquals(terms.length, MAX_VOCABULARY_TERMS);
  assertEquals(new Set(terms.map((t) => t.toLowerCase())).size, terms.length);
  assertEquals(extractVocabulary([{ path: "big.ts", text }], 7).length, 7);
  assertEquals(extractVocabulary([{ path: "big.ts", text }], 0), []);
  assertEquals(extractVocabulary([]), []);
});

Deno.test("extractVocabulary() never returns '<', '>', line breaks or over-long terms", () => {
  const long = `a${"B".repeat(MAX_TERM_CHARS)}`;
  const files = [
    { path: "src/<script>.ts", text: `export const ${long} = 1;\nexport class SafeName {}` },
    { path: "src/line\nbreak_name.ts", text: null },
    { path: "src/tab\tname_x.ts", text: null },
    { path: "docs/good_file.md", text: "SafeName is here" },
  ];
  const terms = extractVocabulary(files);
  assertEquals(terms.sort(), ["SafeName", "good_file.md"].sort());
  for (const t of terms) {
    assert(!/[<>\r\n]/.test(t) && t.length <= MAX_TERM_CHARS, t);
  }
});

Deno.test("sanitizeTerm() trims and refuses what cannot go into a prompt", () => {
  const cases: [string, string | undefined][] = [
    ["  JobQueue ", "JobQueue"],
    ["engine.ts", "engine.ts"],
    ["", undefined],
    ["   ", undefined],
    ["a<b", undefined],
    ["a>b", undefined],
    ["two\nlines", undefined],
    ["carriage\rreturn", undefined],
    ["bell\u0007", undefined],
    ["sep\u2028arator", undefined],
    ["x".repeat(MAX_TERM_CHARS), "x".repeat(MAX_TERM_CHARS)],
    ["x".repeat(MAX_TERM_CHARS + 1), undefined],
  ];
  for (const [input, expected] of cases) assertEquals(sanitizeTerm(input), expected, input);
});
