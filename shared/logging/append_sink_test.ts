import { assertEquals } from "@shared/testing/asserts.ts";
import { getLogger } from "@logtape/logtape";
import { getAppendSink } from "./append_sink.ts";
import { setupLogging } from "./setup_logging.ts";

const lineFormatter = (record: { message: readonly unknown[] }) => record.message.join("") + "\n";

const record = (text: string) => ({
  category: ["t"],
  level: "info" as const,
  message: [text],
  rawMessage: text,
  timestamp: Date.now(),
  properties: {},
});

Deno.test("getAppendSink: a record logged just before disposal is in the file, behind a write in flight", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Each try fills the buffer (a write starts), waits a little or not at all, logs one last
    // line and disposes at once.
    for (let t = 0; t < 30; t++) {
      const path = `${dir}/log-${t}.txt`;
      const sink = getAppendSink(path, { formatter: lineFormatter, bufferChars: 1024 });
      for (let i = 0; i < 50; i++) sink(record(`line ${i} ${"x".repeat(150)}`));
      if (t % 3 === 1) await Promise.resolve();
      if (t % 3 === 2) await new Promise((r) => setTimeout(r, t % 7));
      sink(record("the last line"));
      await sink[Symbol.asyncDispose]();
      const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
      assertEquals(lines.length, 51, `try ${t}`);
      assertEquals(
        lines.slice(0, 50).map((l) => l.split(" ")[1]),
        [...Array(50).keys()].map(String),
      );
      assertEquals(lines[50], "the last line", `try ${t}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("getAppendSink: a small record is written after the flush interval, with no disposal", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/log.txt`;
  const sink = getAppendSink(path, { formatter: lineFormatter, flushIntervalMs: 20 });
  try {
    sink(record("one"));
    assertEquals(await Deno.readTextFile(path), "");
    let text = "";
    for (let i = 0; i < 100 && text === ""; i++) {
      await new Promise((r) => setTimeout(r, 10));
      text = await Deno.readTextFile(path);
    }
    assertEquals(text, "one\n");
  } finally {
    await sink[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("getAppendSink: appends to what the file held, and ignores records after disposal", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/log.txt`;
  await Deno.writeTextFile(path, "earlier\n");
  try {
    const sink = getAppendSink(path, { formatter: lineFormatter });
    sink(record("now"));
    await sink[Symbol.asyncDispose]();
    sink(record("too late"));
    await sink[Symbol.asyncDispose]();
    assertEquals(await Deno.readTextFile(path), "earlier\nnow\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("setupLogging: the last line logged before its dispose is in the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (let t = 0; t < 10; t++) {
      const logFile = `${dir}/nested/log-${t}.jsonl`;
      const dispose = await setupLogging({ logFile, stderr: false });
      const log = getLogger(["append-sink-test"]);
      for (let i = 0; i < 40; i++) log.info("filler {i} {pad}", { i, pad: "x".repeat(200) });
      // A pause before the last line, as a program's closing summary comes after its work: the
      // line then starts a write of its own, which LogTape's non-blocking file sink left
      // unfinished when disposed (the line was lost in 18 of 40 tries).
      await new Promise((r) => setTimeout(r, 2 + 2 * t));
      log.info("summary {p50_ms}", { p50_ms: 0.25 });
      await dispose();
      const lines = (await Deno.readTextFile(logFile)).trimEnd().split("\n").map((l) =>
        JSON.parse(l)
      );
      assertEquals(lines.length, 41, `try ${t}`);
      assertEquals(lines.at(-1).p50_ms, 0.25, `try ${t}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
