import { assertEquals } from "@shared/testing/asserts.ts";
import type { JobView, UtteranceView } from "../fanin/utterance_view.ts";
import {
  ackSentence,
  confirmationSentence,
  controlSentence,
  costWords,
  DEFAULT_UNROUTED,
  jobSentence,
  limitWords,
  MAX_WORDS_PER_JOB,
  speakable,
  summarySentence,
  unroutedSentence,
} from "./spoken_lines.ts";

const job = (over: Partial<JobView> & { confirmation?: unknown }): JobView => ({
  job_id: "01JABCDEFGHJKMNPQRSTVWXYZ0",
  intent: "browser",
  status: "succeeded",
  ...over,
});

Deno.test("ackSentence() names each kind of job once", () => {
  assertEquals(
    ackSentence([{ intent: "coding" }, { intent: "browser" }]),
    "On it: coding and browser.",
  );
  assertEquals(
    ackSentence([{ intent: "coding" }, { intent: "browser" }, { intent: "echo" }, {
      intent: "echo",
    }]),
    "On it: coding, browser and echo.",
  );
  assertEquals(ackSentence([]), "On it.");
});

Deno.test("jobSentence() says each outcome in at most 25 words, links and ids left out", () => {
  const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
  const cases: [JobView, string][] = [
    [job({ result: { answer: "The deploy is passing." } }), "Browser: The deploy is passing."],
    [
      job({
        intent: "coding",
        result: { summary: "Patch for `src/router.ts`, see https://x.test/a" },
      }),
      "Coding: Patch for src/router.ts, see a link.",
    ],
    [job({ result: {} }), "Browser is done."],
    [job({ status: "cancelled" }), "Browser was cancelled."],
    [
      job({
        status: "failed",
        error: { code: "confirmation_denied", message: "The person said no." },
      }),
      "Browser confirmation denied: The person said no.",
    ],
    [job({ status: "dead", error: { code: "timeout" } }), "Browser timeout."],
    [job({ status: "failed" }), "Browser failed."],
  ];
  for (const [j, want] of cases) assertEquals(jobSentence(j), want);
  const said = jobSentence(job({ result: { summary: long } }));
  assertEquals(said.split(" ").length, MAX_WORDS_PER_JOB);
  assertEquals(said.endsWith("word23."), true, said);
  assertEquals(speakable("job 01JABCDEFGHJKMNPQRSTVWXYZ0 “done”"), "job done");
});

Deno.test("summarySentence() adds the cost only when above zero", () => {
  const view = (cost: number | undefined): UtteranceView => ({
    utterance_id: "u1",
    status: "succeeded",
    jobs: [
      job({ result: { answer: "Passing." } }),
      job({ intent: "coding", result: { summary: "Patch ready." } }),
    ],
    usage: cost === undefined ? null : { cost_usd: cost },
  });
  assertEquals(
    summarySentence(view(0.0042)),
    "Browser: Passing. Coding: Patch ready. It cost 0.42 cents.",
  );
  assertEquals(summarySentence(view(0)), "Browser: Passing. Coding: Patch ready.");
  assertEquals(summarySentence(view(undefined)), "Browser: Passing. Coding: Patch ready.");
  assertEquals([costWords(0.03), costWords(0.011), costWords(1.5), costWords(0.0001234)], [
    "3 cents",
    "1 cent",
    "1.50 dollars",
    "0.012 cents",
  ]);
});

Deno.test("confirmationSentence(), controlSentence() and unroutedSentence() fall back to plain sentences", () => {
  assertEquals(
    confirmationSentence(
      job({
        status: "awaiting_confirmation",
        confirmation: { prompt: "Saving a note changes the QA dashboard." },
      }),
    ),
    "Saving a note changes the QA dashboard. Say yes or no.",
  );
  assertEquals(
    confirmationSentence(job({ status: "awaiting_confirmation" })),
    "Browser needs your confirmation. Say yes or no.",
  );
  assertEquals(controlSentence({ action: "cancel", say: "Cancelled 1 job." }), "Cancelled 1 job.");
  assertEquals(controlSentence({ action: "status" }), "Status.");
  assertEquals(unroutedSentence(undefined), DEFAULT_UNROUTED);
  assertEquals(unroutedSentence("  "), DEFAULT_UNROUTED);
  assertEquals(unroutedSentence("I can code, browse or echo."), "I can code, browse or echo.");
  assertEquals(limitWords("a b c", 2), "a b.");
});
