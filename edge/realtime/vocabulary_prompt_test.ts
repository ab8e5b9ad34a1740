import { assert, assertEquals } from "@shared/testing/asserts.ts";
import {
  buildTranscriptionPrompt,
  cleanTerm,
  MAX_PROMPT_CHARS,
  MAX_TERM_CHARS,
  mergeVocabulary,
} from "./vocabulary_prompt.ts";

Deno.test("buildTranscriptionPrompt() puts the user's prompt first, then the vocabulary", () => {
  const cases: [Parameters<typeof buildTranscriptionPrompt>[0], string | undefined][] = [
    [{}, undefined],
    [{ prompt: "  " }, undefined],
    [{ prompt: "A developer speaking." }, "A developer speaking."],
    [{ terms: ["JobQueue", "engine.ts"] }, "Vocabulary: JobQueue, engine.ts."],
    [
      { prompt: "A developer speaking.", terms: ["JobQueue"] },
      "A developer speaking. Vocabulary: JobQueue.",
    ],
    [{ prompt: "Hi", terms: ["<b>", "two\nlines", " "] }, "Hi"],
  ];
  for (const [options, expected] of cases) {
    assertEquals(buildTranscriptionPrompt(options), expected, JSON.stringify(options));
  }
});

Deno.test("buildTranscriptionPrompt() respects the length limit, passing over what does not fit", () => {
  const terms = ["alpha_one", "x".repeat(30), "beta_two", "gamma_three"];
  assertEquals(
    buildTranscriptionPrompt({ terms, maxChars: 40 }),
    "Vocabulary: alpha_one, beta_two.",
  );
  const many = Array.from({ length: 500 }, (_, i) => `identifierNumber${i}`);
  const prompt = buildTranscriptionPrompt({ prompt: "Code talk.", terms: many })!;
  assert(prompt.length <= MAX_PROMPT_CHARS, `${prompt.length}`);
  assert(prompt.startsWith("Code talk. Vocabulary: identifierNumber0, identifierNumber1,"));
  assert(prompt.endsWith("."));
});

Deno.test("mergeVocabulary() keeps the first spelling of each term, in order", () => {
  assertEquals(
    mergeVocabulary(["JobQueue", "my_file.ts", "bad>term"], ["jobqueue", "Router", " my_file.ts "]),
    ["JobQueue", "my_file.ts", "Router"],
  );
});

Deno.test("cleanTerm() refuses '<', '>', control characters, line breaks and long terms", () => {
  const cases: [string, string | undefined][] = [
    [" ok_term ", "ok_term"],
    ["a<b", undefined],
    ["a>b", undefined],
    ["a\nb", undefined],
    ["a\tb", undefined],
    ["", undefined],
    ["y".repeat(MAX_TERM_CHARS + 1), undefined],
  ];
  for (const [input, expected] of cases) assertEquals(cleanTerm(input), expected, input);
});
