/**
 * The edge's trace log (`<logs-dir>/windows-edge-traces.jsonl`) after a `--vad-only` run on
 * real speech: VAD transitions with their audio time, the segment with its duration, and an
 * inference latency summary; stdout holds only the segment.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

Deno.test("edge --vad-only writes transitions, segments and latency to the trace log", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-trace-" });
  try {
    await run("espeak-ng", ["-v", "en-us", "-w", `${dir}/raw.wav`, "Open the deploy dashboard."]);
    await run("sox", [
      `${dir}/raw.wav`,
      "-r",
      "16000",
      "-c",
      "1",
      `${dir}/in.wav`,
      "pad",
      "1",
      "1",
    ]);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        MAIN,
        "--vad-only",
        "--no-pace",
        "--input",
        `${dir}/in.wav`,
        "--logs-dir",
        `${dir}/logs`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const segments = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assertEquals(segments.length, 1);

    const records = (await Deno.readTextFile(`${dir}/logs/windows-edge-traces.jsonl`))
      .trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const transitions = records.filter((r) => typeof r.from === "string" && "to" in r)
      .map((r) => `${r.from}>${r.to}`);
    assertEquals(transitions[0], "quiet>starting");
    assertEquals(transitions[1], "starting>speaking");
    assertEquals(transitions.at(-1), "stopping>quiet");
    assert(
      records.every((r) => !("from" in r) || typeof r.at_ms === "number"),
      "each transition has its audio time",
    );
    const segment = records.find((r) => typeof r.duration_ms === "number");
    assertEquals(
      [segment?.start_ms, segment?.end_ms, segment?.duration_ms],
      [segments[0].start_ms, segments[0].end_ms, segments[0].end_ms - segments[0].start_ms],
    );
    const latency = records.find((r) => typeof r.p50_ms === "number");
    assert(latency !== undefined, "an inference latency summary");
    assert((latency.windows as number) > 50, `windows: ${latency.windows}`);
    assertEquals(latency.runtime, "onnxruntime-node");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
