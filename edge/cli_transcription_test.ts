/**
 * The transcription flags of the edge: the default model, `--vocabulary`, and `--vad off`
 * with a model that refuses server turn detection (parsed in-process, and as a real process
 * for the exit code and the one stderr line).
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { EDGE_HELP, EdgeUsageError, parseEdgeFlags } from "./cli.ts";

const VAD_OFF_REFUSED = (model: string) =>
  `Cannot use --vad off with --model ${model} as it refuses server turn detection: keep --vad silero (the default), or name a model with server VAD such as --model gpt-4o-transcribe`;

Deno.test("parseEdgeFlags() transcribes with gpt-live-transcribe and client VAD by default", () => {
  const flags = parseEdgeFlags([]);
  assertEquals([flags.model, flags.vad, flags.vocabulary], [
    "gpt-live-transcribe",
    "silero",
    undefined,
  ]);
  assertEquals(parseEdgeFlags(["--vocabulary", "words.txt"]).vocabulary, "words.txt");
});

Deno.test("parseEdgeFlags() refuses --vad off with a model that refuses server turn detection", () => {
  for (
    const [args, model] of [
      [["--vad", "off"], "gpt-live-transcribe"],
      [["--vad", "off", "--model", "gpt-realtime-whisper"], "gpt-realtime-whisper"],
      [
        ["--vad", "off", "--model", "gpt-live-transcribe-2026-06-01"],
        "gpt-live-transcribe-2026-06-01",
      ],
    ] as const
  ) {
    assertThrows(() => parseEdgeFlags([...args]), EdgeUsageError, VAD_OFF_REFUSED(model));
  }
  // Legacy models, named, still stream with server VAD.
  for (const model of ["gpt-4o-transcribe", "gpt-4o-mini-transcribe", "whisper-1"]) {
    assertEquals(parseEdgeFlags(["--vad", "off", "--model", model]).model, model);
  }
  assertThrows(() => parseEdgeFlags(["--vocabulary", ""]), EdgeUsageError, "Invalid --vocabulary");
});

Deno.test("the edge's --help names the default model and --vocabulary", () => {
  for (const text of ["(default gpt-live-transcribe)", "--vocabulary FILE", "GET /vocabulary"]) {
    assertEquals(EDGE_HELP.includes(text), true, text);
  }
});

Deno.test("edge --vad off with the default model exits 2 with one line naming a model with server VAD", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...await shippedPermissions("edge"),
      new URL("./main.ts", import.meta.url).pathname,
      "--vad",
      "off",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(
    [out.code, new TextDecoder().decode(out.stderr)],
    [2, `error: ${VAD_OFF_REFUSED("gpt-live-transcribe")}\n`],
  );
});

Deno.test("edge with a bad --vocabulary file exits 1 before capturing, naming the line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const words = `${dir}/words.txt`;
    await Deno.writeTextFile(words, "JobQueue\n<div>\n");
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...await shippedPermissions("edge"),
        new URL("./main.ts", import.meta.url).pathname,
        "--input",
        `${dir}/never-read.wav`,
        "--vocabulary",
        words,
        "--data-dir",
        `${dir}/data`,
        "--logs-dir",
        `${dir}/logs`,
      ],
      // A loopback stand-in address needs no key; nothing listens there, nothing connects.
      env: { OPENAI_API_KEY: "", OPENAI_REALTIME_URL: "ws://127.0.0.1:9/v1/realtime" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const human = new TextDecoder().decode(out.stderr).split("\n")
      .filter((l) => l && !l.startsWith("{"));
    assertEquals([out.code, human], [1, [
      `error: Cannot use the vocabulary file ${words} as line 2 contains '<' or '>': "<div>"`,
    ]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
