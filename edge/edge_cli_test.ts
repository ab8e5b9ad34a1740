/**
 * The edge CLI on real audio (espeak-ng speech, sox silence, noise, tone), the real Silero
 * model and real sox/ffmpeg subprocesses: `--vad-only` segments, both capture tools, and the
 * exact errors for bad input.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { type Fixture, makeFixtures } from "./fixtures/make_fixtures.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const FLAGS = ["run", ...await shippedPermissions("edge")];
const TOLERANCE_MS = 250;

let fixtures: Promise<{ dir: string; files: Record<string, Fixture> }> | undefined;
function getFixtures() {
  fixtures ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "edge-fixtures-" });
    return { dir, files: await makeFixtures(dir) };
  })();
  return fixtures;
}

async function edge(args: string[], env: Record<string, string> = {}) {
  const { dir } = await getFixtures();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...FLAGS, MAIN, "--logs-dir", `${dir}/logs`, "--data-dir", `${dir}/data`, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

async function segments(file: string, extra: string[] = []) {
  const r = await edge(["--vad-only", "--no-pace", "--input", file, ...extra]);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n").filter(Boolean).map((l) =>
    JSON.parse(l) as { start_ms: number; end_ms: number }
  );
}

function assertNear(found: { start_ms: number; end_ms: number }[], expected: Fixture["speech"]) {
  assertEquals(
    found.length,
    expected.length,
    `segments: ${JSON.stringify(found)} vs speech ${JSON.stringify(expected)}`,
  );
  found.forEach((seg, i) => {
    const want = expected[i]!;
    assert(
      Math.abs(seg.start_ms - want.start_ms) <= TOLERANCE_MS,
      `start ${seg.start_ms} vs ${want.start_ms}`,
    );
    assert(
      Math.abs(seg.end_ms - want.end_ms) <= TOLERANCE_MS,
      `end ${seg.end_ms} vs ${want.end_ms}`,
    );
  });
}

for (
  const name of [
    "one_sentence",
    "two_sentences",
    "silence",
    "noise",
    "tone",
    "one_sentence_flac",
    "one_sentence_ogg",
  ]
) {
  Deno.test({
    name: `edge --vad-only finds the speech in ${name} within ${TOLERANCE_MS} ms`,
    sanitizeResources: false,
    async fn() {
      const { files } = await getFixtures();
      const f = files[name]!;
      assertNear(await segments(f.path), f.speech);
    },
  });
}

Deno.test("edge captures through sox and ffmpeg alike", async () => {
  const { files } = await getFixtures();
  const f = files.two_sentences!;
  const viaSox = await segments(f.path, ["--capture", "sox"]);
  const viaFfmpeg = await segments(f.path, ["--capture", "ffmpeg"]);
  assertNear(viaSox, f.speech);
  assertEquals(viaSox, viaFfmpeg);
});

Deno.test("edge frames of 10 and 30 ms give the same segments within a window", async () => {
  const { files } = await getFixtures();
  const f = files.one_sentence!;
  for (const ms of ["10", "30"]) assertNear(await segments(f.path, ["--frame-ms", ms]), f.speech);
});

Deno.test("edge paced input runs in real time and still finds the speech", async () => {
  const { files } = await getFixtures();
  const f = files.one_sentence!;
  const started = performance.now();
  const r = await edge(["--vad-only", "--input", f.path]);
  const seconds = (performance.now() - started) / 1000;
  assertEquals(r.code, 0, r.stderr);
  // Pacing is a behaviour, not a speed goal: a paced run cannot finish before the audio does.
  assert(seconds >= (f.speech[0]!.end_ms + 1000) / 1000 - 0.5, `paced run took only ${seconds} s`);
  assertNear(r.stdout.trim().split("\n").map((l) => JSON.parse(l)), f.speech);
});

Deno.test("edge: a missing input file is a clear error, exit 1", async () => {
  const r = await edge(["--vad-only", "--input", "/nonexistent/speech.wav"]);
  assertEquals(r.code, 1);
  const expected =
    "error: Input file '/nonexistent/speech.wav' was not found: check the path given to --input";
  assert(r.stderr.split("\n").includes(expected), r.stderr);
  assertEquals(r.stdout, "");
});

Deno.test("edge: a file that is not audio is a clear error, exit 1", async () => {
  const { dir } = await getFixtures();
  const bogus = `${dir}/notes.wav`;
  await Deno.writeTextFile(bogus, "this is not audio at all\n".repeat(20));
  const r = await edge(["--vad-only", "--input", bogus, "--capture", "ffmpeg"]);
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, `error: Cannot decode '${bogus}' as audio with ffmpeg: `);
});

/** Runs the edge with `args` and `env`; it must exit 1 with `message` on stderr. */
async function assertExit1(args: string[], env: Record<string, string>, message: string) {
  const r = await edge(args, env);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, message);
}

Deno.test("edge: a missing capture tool names the fix, exit 1", async () => {
  const { files } = await getFixtures();
  await assertExit1(
    ["--vad-only", "--input", files.silence!.path, "--capture", "sox"],
    { PATH: "/nonexistent" },
    "error: sox was not found on PATH: install sox (Debian/Ubuntu: apt-get install sox;",
  );
});

Deno.test("edge: no capture tool at all names what to install, for a microphone and for a file", async () => {
  const { files } = await getFixtures();
  await assertExit1(
    ["--vad-only"],
    { PATH: "/nonexistent" },
    Deno.build.os === "linux"
      ? "error: None of parec, ffmpeg or sox was found on PATH: install one (Debian/Ubuntu: apt-get install pulseaudio-utils, or ffmpeg)\n"
      : "error: Neither ffmpeg nor sox was found on PATH: install one (",
  );
  await assertExit1(
    ["--vad-only", "--input", files.silence!.path],
    { PATH: "/nonexistent" },
    "error: Neither ffmpeg nor sox was found on PATH: install one (Debian/Ubuntu: apt-get install ffmpeg sox; Windows: winget install ffmpeg; macOS: brew install ffmpeg)\n",
  );
});

Deno.test("edge: parec cannot read a file, exit 1", async () => {
  const { files } = await getFixtures();
  await assertExit1(
    ["--vad-only", "--input", files.silence!.path, "--capture", "parec"],
    {},
    "error: parec records from a sound server and cannot read a file: use --capture ffmpeg or sox with --input\n",
  );
});

Deno.test("edge: parec with no sound server and no tool to open ALSA says what to do, exit 1", async () => {
  // A PATH that has parec alone, and a sound server address where none answers.
  const dir = await Deno.makeTempDir();
  try {
    const parec = new TextDecoder().decode(
      (await new Deno.Command("sh", { args: ["-c", "command -v parec"], stdout: "piped" }).output())
        .stdout,
    ).trim();
    await Deno.symlink(parec, `${dir}/parec`);
    const r = await edge(["--vad-only", "--capture", "parec"], {
      PATH: dir,
      HOME: dir,
      PULSE_SERVER: `unix:${dir}/no-server`,
    });
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "error: parec gave no audio (");
    assertStringIncludes(
      r.stderr,
      ") and neither ffmpeg nor sox is installed to open ALSA instead: start the sound server, or install ffmpeg\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("edge: bad flags exit 2 with the exact message", async () => {
  const cases: [string[], string][] = [
    [["--frame-ms", "25"], "error: Invalid --frame-ms: must be 10, 20 or 30. See --help."],
    [
      ["--capture", "arecord"],
      'error: Invalid --capture: Invalid option: expected one of "auto"|"parec"|"ffmpeg"|"sox". See --help.',
    ],
    [
      ["--vad-threshold", "0.2"],
      "error: Invalid --vad-negative: must not exceed --vad-threshold. See --help.",
    ],
    [
      ["--gateway", "ftp://x"],
      "error: Invalid --gateway: must be an http:// or https:// URL. See --help.",
    ],
    [
      ["--speak", "loud"],
      'error: Invalid --speak: Invalid option: expected one of "auto"|"espeak"|"openai"|"off". See --help.',
    ],
    [
      ["--voice", ""],
      "error: Invalid --voice: Too small: expected string to have >=1 characters. See --help.",
    ],
  ];
  for (const [args, expected] of cases) {
    const r = await edge(args);
    assertEquals([r.code, r.stderr.trim()], [2, expected], args.join(" "));
  }
});

Deno.test("edge --help explains the flags", async () => {
  const r = await edge(["--help"]);
  assertEquals(r.code, 0);
  assertStringIncludes(r.stdout, "--vad-only");
  assertStringIncludes(r.stdout, "--input FILE");
  for (const flag of ["--speak MODE", "--voice NAME", "--speak-to DIR", "--barge-in"]) {
    assertStringIncludes(r.stdout, flag);
  }
});

const NO_KEY = { OPENAI_API_KEY: "", OPENAI_REALTIME_URL: "" };

Deno.test("edge --input without OPENAI_API_KEY shows the segments after one notice, exit 0", async () => {
  const { files } = await getFixtures();
  const f = files.two_sentences!;
  const r = await edge(["--no-pace", "--input", f.path], NO_KEY);
  assertEquals(r.code, 0, r.stderr);
  assertNear(
    r.stdout.trim().split("\n").map((l) => JSON.parse(l)),
    f.speech,
  );
  const notices = r.stderr.split("\n").filter((l) => !l.startsWith("{"));
  assertEquals(notices.filter(Boolean), [
    "notice: transcription is off until OPENAI_API_KEY is set (or OPENAI_REALTIME_URL points at a local stand-in): showing the speech segments only",
  ]);
});

Deno.test("edge on the microphone without OPENAI_API_KEY stops before capturing, exit 1", async () => {
  const r = await edge([], NO_KEY);
  assertEquals(r.code, 1);
  assertEquals(
    r.stderr.split("\n").filter((l) => l.startsWith("error:")),
    [
      "error: Cannot connect to wss://api.openai.com/v1/realtime as 'OPENAI_API_KEY' is not set: set it, or point OPENAI_REALTIME_URL at a local stand-in",
    ],
  );
  assertEquals(r.stdout, "");
});
