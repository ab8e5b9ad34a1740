import { within } from "@shared/testing/within.ts";
import { assert, assertEquals, assertRejects } from "@shared/testing/asserts.ts";
import { join } from "node:path";
import { startRealtimeStandIn } from "@shared/standins/openai_realtime/realtime_standin.ts";
import { startTestGateway } from "../_testing/test_gateway.ts";
import { RealtimeTranscriber } from "./realtime_transcriber.ts";
import { toneFrames } from "../_testing/test_audio.ts";
import {
  fetchGatewayVocabulary,
  readVocabularyFile,
  startVocabulary,
  VocabularyFetchError,
  VocabularyFileError,
} from "./vocabulary_source.ts";

async function tempFile(text: string | Uint8Array): Promise<string> {
  const path = join(await Deno.makeTempDir(), "vocabulary.txt");
  if (typeof text === "string") await Deno.writeTextFile(path, text);
  else await Deno.writeFile(path, text);
  return path;
}

Deno.test("readVocabularyFile() reads one term per line, skipping blanks and comments", async () => {
  const path = await tempFile(
    "\uFEFF# project words\r\nJobQueue\r\n\n  realtime_transcriber.ts  \nsay “deploy”\n",
  );
  assertEquals(await readVocabularyFile(path), [
    "JobQueue",
    "realtime_transcriber.ts",
    "say “deploy”",
  ]);
});

Deno.test("readVocabularyFile() names the line that cannot be used", async () => {
  const cases: [string | Uint8Array, (path: string) => string][] = [
    [
      "ok\n<script>\n",
      (p) => `Cannot use the vocabulary file ${p} as line 2 contains '<' or '>': "<script>"`,
    ],
    [
      "a\nb\nx -> y\n",
      (p) => `Cannot use the vocabulary file ${p} as line 3 contains '<' or '>': "x -> y"`,
    ],
    [
      "tab\there\n",
      (p) =>
        `Cannot use the vocabulary file ${p} as line 1 contains a control character: "tab\\there"`,
    ],
    [
      `${"w".repeat(65)}\n`,
      (p) =>
        `Cannot use the vocabulary file ${p} as line 1 is longer than 64 characters: "${
          "w".repeat(40)
        }…"`,
    ],
    [
      new Uint8Array([0x66, 0xff, 0x0a]),
      (p) => `Cannot use the vocabulary file ${p} as it is not UTF-8 text`,
    ],
    [
      "x".repeat(64 * 1024 + 1),
      (p) => `Cannot use the vocabulary file ${p} as it is over 65536 bytes: current size is 65537`,
    ],
  ];
  for (const [text, message] of cases) {
    const path = await tempFile(text);
    await assertRejects(() => readVocabularyFile(path), VocabularyFileError, message(path));
  }
  const missing = join(await Deno.makeTempDir(), "nope.txt");
  await assertRejects(
    () => readVocabularyFile(missing),
    VocabularyFileError,
    `Cannot read the vocabulary file ${missing}: No such file or directory`,
  );
});

Deno.test("fetchGatewayVocabulary() reads GET /vocabulary, with the token", async () => {
  const gateway = await startTestGateway({
    token: "tok",
    vocabulary: ["JobQueue", "jobqueue", "bad<term", "engine.ts"],
  });
  try {
    assertEquals(
      await fetchGatewayVocabulary({ gatewayUrl: gateway.url, token: "tok" }),
      ["JobQueue", "engine.ts"],
    );
    await assertRejects(
      () => fetchGatewayVocabulary({ gatewayUrl: gateway.url }),
      VocabularyFetchError,
      `${gateway.url}/vocabulary answered 401`,
    );
  } finally {
    await gateway.close();
  }
});

Deno.test("fetchGatewayVocabulary() gives up after its timeout and on a gateway that is down", async () => {
  // A server that accepts the request and never answers.
  const hang = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    await hang.promise;
    return new Response("late");
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    await assertRejects(
      () => fetchGatewayVocabulary({ gatewayUrl: url, timeoutMs: 100 }),
      VocabularyFetchError,
      `no answer from ${url}/vocabulary within 100 ms`,
    );
  } finally {
    hang.resolve();
    await server.shutdown();
  }
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  await assertRejects(
    () => fetchGatewayVocabulary({ gatewayUrl: `http://127.0.0.1:${port}` }),
    VocabularyFetchError,
    `cannot reach http://127.0.0.1:${port}/vocabulary`,
  );
});

Deno.test("the edge's vocabulary (file, then gateway) reaches the stand-in in the transcription prompt", async () => {
  const standIn = await startRealtimeStandIn({ script: ["refactor the job queue"] });
  const gateway = await startTestGateway({ vocabulary: ["JobQueue", "intent_router.ts"] });
  const rt = new RealtimeTranscriber({ apiKey: "sk", url: standIn.url });
  const notices: string[] = [];
  try {
    const loaded = startVocabulary({
      model: "gpt-live-transcribe",
      prompt: "A developer speaking.",
      fileTerms: ["OrchestratorRouter", "jobqueue"],
      gatewayUrl: gateway.url,
      setPrompt: (p) => rt.setPrompt(p),
      notice: (line) => notices.push(line),
    });
    rt.start();
    await within(5000, "vocabulary", loaded);
    await within(5000, "ready", rt.whenReady());
    const id = rt.beginSegment();
    for (const f of toneFrames(300)) rt.appendAudio(f);
    rt.endSegment();
    await within(5000, "idle", rt.whenIdle());
    assert(id.length > 0);
    assertEquals(notices, []);
    // Whether the gateway answered before or after the session was ready, the last prompt
    // the stand-in got carries both sources, the file's spelling winning.
    assertEquals(
      standIn.stats.prompts.at(-1),
      "A developer speaking. Vocabulary: OrchestratorRouter, jobqueue, intent_router.ts.",
    );
  } finally {
    await rt.close();
    await gateway.close();
    await standIn.close();
  }
});

Deno.test("startVocabulary() keeps the file's terms with a notice when the gateway fails", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const prompts: (string | undefined)[] = [];
  const notices: string[] = [];
  await startVocabulary({
    model: "gpt-live-transcribe",
    fileTerms: ["JobQueue"],
    gatewayUrl: `http://127.0.0.1:${port}`,
    setPrompt: (p) => prompts.push(p),
    notice: (line) => notices.push(line),
  });
  assertEquals(prompts, ["Vocabulary: JobQueue."]);
  assertEquals(notices.length, 1);
  assert(
    notices[0]!.startsWith(
      `notice: no vocabulary from the gateway (cannot reach http://127.0.0.1:${port}/vocabulary: `,
    ),
    notices[0],
  );
  assert(notices[0]!.endsWith("; transcribing with the --vocabulary file's terms only"));
});

Deno.test("startVocabulary() sends nothing to a model that takes no prompt, and says so", async () => {
  const prompts: (string | undefined)[] = [];
  const notices: string[] = [];
  await startVocabulary({
    model: "gpt-realtime-whisper",
    fileTerms: ["JobQueue"],
    gatewayUrl: "http://127.0.0.1:1",
    setPrompt: (p) => prompts.push(p),
    notice: (line) => notices.push(line),
  });
  assertEquals(prompts, []);
  assertEquals(notices, [
    "notice: gpt-realtime-whisper takes no transcription prompt, so the prompt and vocabulary are not sent",
  ]);
});
