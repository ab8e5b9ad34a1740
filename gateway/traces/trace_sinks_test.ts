import { assertEquals } from "@shared/testing/asserts.ts";
import { within } from "@shared/testing/within.ts";
import type { TraceEvent } from "@shared/schemas/mod.ts";
import type { JsonValue } from "@shared/schemas/json_value.ts";
import { Tracer } from "./tracer.ts";
import { JsonlTraceSink } from "./jsonl_sink.ts";
import { WorkerLibsqlTraceSink } from "./worker_libsql_sink.ts";
import { LibsqlTraceSink, mayHoldUsage } from "./libsql_sink.ts";

Deno.test("Tracer writes the same events to JSONL and to SQLite readable by python's sqlite3", async () => {
  const dir = await Deno.makeTempDir();
  const tracer = new Tracer([
    new JsonlTraceSink(`${dir}/logs/traces.jsonl`),
    new WorkerLibsqlTraceSink({ url: `file:${dir}/traces.sqlite` }),
  ]);
  tracer.emit({ source: "test", event: "job.started", job_id: "j1", utterance_id: "u1" });
  tracer.emit({
    source: "test",
    event: "job.succeeded",
    job_id: "j1",
    utterance_id: "u1",
    duration_ms: 12.5,
    usage: { provider: "p", model: "m", input_tokens: 3, output_tokens: 4, cost_usd: 0.5 },
    data: { intent: "echo", attempts: 1 },
  });
  tracer.emit({ source: "test", event: "other", job_id: "j2" });
  const queried = await tracer.query({ job_id: "j1" });
  assertEquals(queried.map((e) => e.event), ["job.started", "job.succeeded"]);
  assertEquals(queried[1]!.usage?.cost_usd, 0.5);
  const lines = (await Deno.readTextFile(`${dir}/logs/traces.jsonl`)).trim().split("\n");
  assertEquals(lines.map((l) => (JSON.parse(l) as TraceEvent).event), [
    "job.started",
    "job.succeeded",
    "other",
  ]);
  // Read while the gateway still holds the database open, as Datasette would.
  const py = await new Deno.Command("python3", {
    args: [
      "-c",
      `import sqlite3,json;c=sqlite3.connect('file:${dir}/traces.sqlite?mode=ro',uri=True);` +
      `print(json.dumps([c.execute('select count(*) from traces').fetchone()[0],` +
      `c.execute("select intent, outcome, cost_usd from job_runs").fetchall()]))`,
    ],
    stdout: "piped",
  }).output();
  assertEquals(JSON.parse(new TextDecoder().decode(py.stdout)), [3, [["echo", "succeeded", 0.5]]]);
  await tracer.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Tracer redacts secrets before any sink sees them", async () => {
  const { sink, lines } = recordingSink("lines");
  const tracer = new Tracer([sink]);
  const seen: TraceEvent[] = [];
  tracer.emit({
    source: "test",
    event: "x",
    data: { header: "Bearer abcdefghijklmnop", note: "key sk-ant-api03-zzzzzzzzzz" },
  });
  assertEquals(tracer.recent()[0]!.data, { header: "[REDACTED]", note: "key [REDACTED]" });
  tracer.subscribe((e) => seen.push(e));
  tracer.emit({ source: "test", event: "y", data: { auth: "Bearer qrstuvwxyzabcdef" } });
  await tracer.flush();
  assertEquals(seen.map((e) => e.data), [{ auth: "[REDACTED]" }]);
  await tracer.close();
  assertEquals(lines.map((l) => JSON.parse(l).data), [
    { header: "[REDACTED]", note: "key [REDACTED]" },
    { auth: "[REDACTED]" },
  ]);
});

Deno.test("utterance_costs counts a job retried by hand once, at its latest end, after a reopen", async () => {
  const dir = await Deno.makeTempDir();
  const url = `file:${dir}/traces.sqlite`;
  const usage = (cost: number, tokens: number) => ({
    provider: "p",
    model: "m",
    input_tokens: tokens,
    output_tokens: 0,
    cost_usd: cost,
  });
  const end = (event: string, job: string, ts: string, cost: number, tokens: number) => ({
    ts,
    trace_id: "u1",
    utterance_id: "u1",
    job_id: job,
    source: "test",
    event,
    usage: usage(cost, tokens),
    cost_usd: cost,
    data: { intent: "coding", attempts: 1 },
  });
  // The first gateway writes a failure; after a retry by hand, a second one the success with
  // the job's running total (0.3 then 0.5 in all), and another job of the same utterance.
  const first = new LibsqlTraceSink({ url });
  await first.write([end("job.failed", "j1", "2026-11-30T10:00:00.000Z", 0.3, 30)]);
  await first.close();
  const second = new LibsqlTraceSink({ url });
  await second.write([
    end("job.succeeded", "j1", "2026-11-30T10:05:00.000Z", 0.5, 50),
    end("job.succeeded", "j2", "2026-11-30T10:01:00.000Z", 0.25, 7),
  ]);
  await second.close();
  const py = await new Deno.Command("python3", {
    args: [
      "-c",
      `import sqlite3,json;c=sqlite3.connect('file:${dir}/traces.sqlite?mode=ro',uri=True);` +
      `print(json.dumps(c.execute("select utterance_id, jobs, succeeded, cost_usd, input_tokens ` +
      `from utterance_costs").fetchall()))`,
    ],
    stdout: "piped",
  }).output();
  assertEquals(JSON.parse(new TextDecoder().decode(py.stdout)), [["u1", 2, 2, 0.75, 57]]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("utterance_costs: a job on an unpriced model makes the cost unknown, not smaller", async () => {
  const dir = await Deno.makeTempDir();
  const url = `file:${dir}/traces.sqlite`;
  const end = (job: string, cost: number | null, tokens: number | null) => ({
    ts: `2026-12-01T10:0${job.slice(1)}:00.000Z`,
    trace_id: "u1",
    utterance_id: "u1",
    job_id: job,
    source: "test",
    event: "job.succeeded",
    ...(tokens === null ? {} : {
      usage: {
        provider: "anthropic",
        model: cost === null ? "claude-x" : "claude-sonnet-5-5",
        input_tokens: tokens,
        output_tokens: 1,
        cache_read_input_tokens: 4,
        cost_usd: cost,
      },
      cost_usd: cost,
    }),
    data: { intent: "coding", attempts: 1 },
  });
  const sink = new LibsqlTraceSink({ url });
  await sink.write([end("j1", 0.5, 10), end("j2", null, 20), end("j3", null, null)]);
  await sink.write([{ ...end("j4", 0.25, 5), utterance_id: "u2", trace_id: "u2" }]);
  const back = await sink.query({ job_id: "j2" });
  assertEquals(back[0]?.usage?.cost_usd, null);
  await sink.close();
  const py = await new Deno.Command("python3", {
    args: [
      "-c",
      `import sqlite3,json;c=sqlite3.connect('file:${dir}/traces.sqlite?mode=ro',uri=True);` +
      `print(json.dumps([c.execute("select utterance_id, jobs, unpriced_jobs, cost_usd, input_tokens ` +
      `from utterance_costs order by utterance_id").fetchall(), c.execute("select job_id, ` +
      `cache_read_input_tokens from job_runs order by job_id").fetchall()]))`,
    ],
    stdout: "piped",
  }).output();
  assertEquals(JSON.parse(new TextDecoder().decode(py.stdout)), [
    [["u1", 3, 1, null, 30], ["u2", 1, 0, 0.25, 5]],
    [["j1", 4], ["j2", 4], ["j3", null], ["j4", 4]],
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("LibsqlTraceSink stores a large batch row for row, in order, with every column as given", async () => {
  const dir = await Deno.makeTempDir();
  const sink = new LibsqlTraceSink({ url: `file:${dir}/traces.sqlite` });
  try {
    // More rows than one statement carries, and text that JSON and SQL must both keep intact.
    const events: TraceEvent[] = Array.from({ length: 1203 }, (_, i) => ({
      ts: `2026-12-01T00:00:${String(i % 60).padStart(2, "0")}.000Z`,
      trace_id: `t${i}`,
      ...(i % 2 ? { utterance_id: `u${i}` } : {}),
      ...(i % 3 ? {} : { job_id: `j${i}` }),
      source: "test",
      event: i % 7 ? "http.request" : "job.succeeded",
      ...(i % 5 ? { duration_ms: i / 8 } : {}),
      ...(i % 7 ? {} : {
        usage: { provider: "p", model: "m", input_tokens: i, output_tokens: 2, cost_usd: 0.25 },
      }),
      data: { n: i, text: `quote " backslash \\ newline \n emoji 🎙 é ${i}`, list: [1, null, true] },
    }));
    await sink.write(events);
    const back = await sink.query({ limit: 2000 });
    assertEquals(back, events.map((e) => e.usage ? { ...e, cost_usd: e.usage.cost_usd } : e));
    // JSON columns hold JSON text, as Datasette and the views expect.
    const py = await new Deno.Command("python3", {
      args: [
        "-c",
        `import sqlite3,json;c=sqlite3.connect('file:${dir}/traces.sqlite?mode=ro',uri=True);` +
        `print(json.dumps(c.execute("select distinct typeof(data), typeof(usage) from traces ` +
        `order by 2").fetchall()))`,
      ],
      stdout: "piped",
    }).output();
    assertEquals(JSON.parse(new TextDecoder().decode(py.stdout)), [["text", "null"], [
      "text",
      "text",
    ]]);
  } finally {
    await sink.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Tracer keeps the newest events of its ring, in order, once it has wrapped", async () => {
  const tracer = new Tracer([], { ringSize: 4 });
  for (let i = 0; i < 11; i++) tracer.emit({ source: "test", event: `e${i}`, job_id: `j${i % 2}` });
  assertEquals(tracer.recent().map((e) => e.event), ["e7", "e8", "e9", "e10"]);
  assertEquals(tracer.recent({ limit: 2 }).map((e) => e.event), ["e9", "e10"]);
  assertEquals(tracer.recent({ job_id: "j1" }).map((e) => e.event), ["e7", "e9"]);
  await tracer.close();
});

Deno.test("Tracer hands a sink with writeLines the redacted JSON lines, and one without the same events", async () => {
  const linesSeen: string[][] = [];
  const eventsSeen: TraceEvent[][] = [];
  const tracer = new Tracer([
    {
      name: "lines",
      write: () => Promise.reject(new Error("write called on a sink that takes lines")),
      writeLines: (lines) => (linesSeen.push([...lines]), Promise.resolve()),
      close: () => Promise.resolve(),
    },
    {
      name: "events",
      write: (events) => (eventsSeen.push([...events]), Promise.resolve()),
      close: () => Promise.resolve(),
    },
  ]);
  tracer.emit({ source: "test", event: "a", job_id: "j1", duration_ms: 1.23456 });
  tracer.emit({
    source: "test",
    event: "b",
    data: { auth: "Bearer abcdefghijklmnop" },
  });
  const [first, second] = tracer.recent();
  await tracer.flush();
  tracer.emit({ source: "test", event: "c" });
  await tracer.close();
  assertEquals(tracer.sinkErrors, 0);
  assertEquals(linesSeen.length, 2);
  assertEquals(linesSeen[0], [JSON.stringify(first), JSON.stringify(second)]);
  assertEquals(linesSeen[0]![1]!.includes("abcdefghijklmnop"), false);
  assertEquals(eventsSeen.map((batch) => batch.map((e) => e.event)), [["a", "b"], ["c"]]);
  assertEquals(eventsSeen[0], [first, second]);
  assertEquals(eventsSeen[0]![0]!.duration_ms, 1.235);
});

Deno.test("LibsqlTraceSink indexes only rows that have a job or an utterance, and still finds them by id", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/traces.sqlite`;
  const sqlite = async (sql: string) => {
    const out = await new Deno.Command("python3", {
      args: [
        "-c",
        `import sqlite3,json,sys;c=sqlite3.connect('${file}');` +
        `print(json.dumps(c.execute(sys.argv[1]).fetchall()));c.commit()`,
        sql,
      ],
      stdout: "piped",
    }).output();
    return JSON.parse(new TextDecoder().decode(out.stdout));
  };
  // A file from before: full indexes on job_id and utterance_id.
  await sqlite(
    "create table traces (id integer primary key autoincrement, ts text not null, " +
      "trace_id text not null, utterance_id text, job_id text, source text not null, " +
      "event text not null, duration_ms real, provider text, model text, input_tokens integer, " +
      "output_tokens integer, cost_usd real, usage text, data text)",
  );
  await sqlite("create index traces_job_id on traces (job_id)");
  await sqlite("create index traces_utterance_id on traces (utterance_id)");
  const sink = new LibsqlTraceSink({ url: `file:${file}` });
  try {
    const events: TraceEvent[] = Array.from({ length: 30 }, (_, i) => ({
      ts: `2026-12-01T00:00:${String(i).padStart(2, "0")}.000Z`,
      trace_id: `t${i % 10}`,
      ...(i % 3 === 0 ? {} : { utterance_id: `u${i % 10}` }),
      ...(i % 3 === 2 ? { job_id: `j${i % 10}` } : {}),
      source: "test",
      event: ["http.request", "utterance.routed", "job.enqueued"][i % 3]!,
    }));
    await sink.write(events);
    assertEquals(
      await sqlite(
        "select name, sql like '%WHERE%' from sqlite_master where type = 'index' order by name",
      ),
      [["traces_event", 0], ["traces_job", 1], ["traces_ts", 0], ["traces_utterance", 1]],
    );
    // Each partial index holds only the rows that have its id.
    assertEquals(
      await sqlite("select count(*) from traces indexed by traces_job where job_id is not null"),
      [[10]],
    );
    assertEquals(
      await sqlite(
        "select count(*) from traces indexed by traces_utterance where utterance_id is not null",
      ),
      [[20]],
    );
    for (
      const [column, index] of [["job_id", "traces_job"], ["utterance_id", "traces_utterance"]]
    ) {
      const plan = await sqlite(`explain query plan select * from traces where ${column} = 'x'`);
      assertEquals(
        JSON.stringify(plan).includes(`USING INDEX ${index} `),
        true,
        JSON.stringify(plan),
      );
    }
    assertEquals(
      (await sink.query({ job_id: "j5" })).map((e) => e.ts),
      events.filter((e) => e.job_id === "j5").map((e) => e.ts),
    );
    assertEquals(
      (await sink.query({ utterance_id: "u4" })).map((e) => e.event),
      events.filter((e) => e.utterance_id === "u4").map((e) => e.event),
    );
  } finally {
    await sink.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Tracer stamps an event when it is emitted and serializes it with a later batch, in order", async () => {
  let clock = Date.parse("2026-12-04T10:00:00.000Z");
  const { sink, lines } = recordingSink("lines");
  const tracer = new Tracer([sink], { now: () => clock, flushIntervalMs: 60_000 });
  for (let i = 0; i < 130; i++) {
    tracer.emit({ source: "test", event: `e${i}`, data: { i } });
    clock += 1;
  }
  // The clock has moved on since; the time kept is each event's own.
  const recent = tracer.recent({ limit: 3 });
  assertEquals(recent.map((e) => [e.event, e.ts]), [
    ["e127", "2026-12-04T10:00:00.127Z"],
    ["e128", "2026-12-04T10:00:00.128Z"],
    ["e129", "2026-12-04T10:00:00.129Z"],
  ]);
  await tracer.flush();
  assertEquals(lines.length, 130);
  assertEquals(lines.map((l) => JSON.parse(l).data.i), Array.from({ length: 130 }, (_, i) => i));
  assertEquals(JSON.parse(lines[0]!).ts, "2026-12-04T10:00:00.000Z");
  // Emitted after a flush, written by the close.
  tracer.emit({ source: "test", event: "last" });
  await tracer.close();
  assertEquals(JSON.parse(lines.at(-1)!).event, "last");
  assertEquals(lines.length, 131);
});

Deno.test("Tracer hands an observer each event as it is emitted, and a broken one harms nothing", async () => {
  const { sink, lines } = recordingSink("lines");
  const tracer = new Tracer([sink], { now: () => Date.parse("2026-12-04T10:00:00.000Z") });
  const seen: string[] = [];
  tracer.observe(() => {
    throw new Error("a broken tally");
  });
  const stop = tracer.observe((e) => seen.push(`${e.event}@${e.ts}`));
  tracer.emit({ source: "test", event: "job.succeeded", duration_ms: 3 });
  // Synchronously, before any batch is serialized.
  assertEquals(seen, ["job.succeeded@2026-12-04T10:00:00.000Z"]);
  assertEquals(lines.length, 0);
  stop();
  tracer.emit({ source: "test", event: "job.failed" });
  assertEquals(seen.length, 1);
  await tracer.close();
  assertEquals(lines.map((l) => JSON.parse(l).event), ["job.succeeded", "job.failed"]);
});

Deno.test("Tracer keeps a note of an event JSON cannot hold, and the rest of its batch", async () => {
  const { sink, lines } = recordingSink("lines");
  const tracer = new Tracer([sink]);
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  tracer.emit({ source: "test", event: "before" });
  tracer.emit({
    source: "test",
    event: "bad",
    job_id: "j1",
    data: { cyclic } as unknown as Record<string, JsonValue>,
  });
  tracer.emit({ source: "test", event: "after" });
  await tracer.close();
  assertEquals(lines.map((l) => JSON.parse(l).event), ["before", "bad", "after"]);
  const bad = JSON.parse(lines[1]!);
  assertEquals(bad.job_id, "j1");
  assertEquals(typeof bad.data.trace_error, "string");
  assertEquals(bad.data.trace_error.includes("circular"), true);
});

/**
 * A sink that takes lines, keeps every one written and records each batch's event names; `hold`
 * decides per write.
 */
function recordingSink(
  name: string,
  hold: (write: number) => Promise<void> | undefined = () => undefined,
) {
  const batches: string[][] = [];
  const lines: string[] = [];
  const sink = {
    name,
    write: () => Promise.reject(new Error("write called on a sink that takes lines")),
    writeLines: (batch: readonly string[]) => {
      lines.push(...batch);
      batches.push(batch.map((l) => JSON.parse(l).event));
      return hold(batches.length) ?? Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return { sink, batches, lines };
}

Deno.test("Tracer gives a busy sink one larger batch, not a line of small ones, and loses nothing", async () => {
  let release: (() => void) | undefined;
  // The first write hangs until released, as a remote store that has stalled.
  const { sink, batches } = recordingSink(
    "slow",
    (n) => n === 1 ? new Promise<void>((r) => (release = r)) : undefined,
  );
  const tracer = new Tracer([sink], { flushIntervalMs: 5 });
  tracer.emit({ source: "test", event: "e0" });
  const firstWritten = tracer.flush();
  // The write starts on the next turn; everything after this waits behind it.
  await new Promise((r) => setTimeout(r, 0));
  // Five more flush intervals' worth of events and flushes while the first write hangs.
  const waits: Promise<void>[] = [];
  for (let i = 1; i <= 10; i++) {
    tracer.emit({ source: "test", event: `e${i}` });
    if (i % 2 === 0) waits.push(tracer.flush());
    await new Promise((r) => setTimeout(r, 6));
  }
  assertEquals(batches, [["e0"]]);
  release!();
  await firstWritten;
  await Promise.all(waits);
  // Every flush made while the sink was busy is answered by the same second batch.
  assertEquals(batches, [["e0"], ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10"]]);
  tracer.emit({ source: "test", event: "e11" });
  await tracer.close();
  assertEquals(batches.length, 3);
  assertEquals(batches[2], ["e11"]);
  assertEquals(tracer.sinkErrors, 0);
});

Deno.test("Tracer counts a sink that stops answering as failed, and the other sinks' batches go on", async () => {
  // The first write never answers, as a remote store that stopped; later ones do.
  const stuck = recordingSink("stuck", (n) => n === 1 ? new Promise<void>(() => {}) : undefined);
  const file = recordingSink("file", () => undefined);
  const written = file.batches;
  const tracer = new Tracer([stuck.sink, file.sink], { flushIntervalMs: 5, sinkTimeoutMs: 50 });
  tracer.emit({ source: "test", event: "e0" });
  await within(2_000, "the first flush", tracer.flush());
  assertEquals(tracer.sinkErrors, 1);
  assertEquals(tracer.lastSinkError, "stuck: no answer within 50 ms");
  tracer.emit({ source: "test", event: "e1" });
  await within(2_000, "the second flush", tracer.flush());
  assertEquals(written, [["e0"], ["e1"]]);
  assertEquals(stuck.batches.length, 2);
  assertEquals(tracer.sinkErrors, 1);
  await tracer.close();
});

Deno.test("Tracer keeps writing to a fast sink while a slow one is still busy", async () => {
  let release: (() => void) | undefined;
  const slow = recordingSink(
    "slow",
    (n) => n === 1 ? new Promise<void>((r) => (release = r)) : undefined,
  );
  const fast = recordingSink("file", () => undefined);
  const tracer = new Tracer([slow.sink, fast.sink], { flushIntervalMs: 1_000 });
  tracer.emit({ source: "test", event: "e0" });
  const first = tracer.flush();
  await new Promise((r) => setTimeout(r, 0));
  tracer.emit({ source: "test", event: "e1" });
  const second = tracer.flush();
  await new Promise((r) => setTimeout(r, 10));
  // The file has both batches while the store still holds the first.
  assertEquals(fast.batches, [["e0"], ["e1"]]);
  assertEquals(slow.batches, [["e0"]]);
  release!();
  await within(2_000, "the flushes", Promise.all([first, second]));
  assertEquals(slow.batches, [["e0"], ["e1"]]);
  assertEquals(tracer.sinkErrors, 0);
  assertEquals(tracer.linesDropped, 0);
  await tracer.close();
});

Deno.test("Tracer drops a slow sink's oldest waiting lines past its cap, counts them, and the others keep all", async () => {
  let release: (() => void) | undefined;
  const slow = recordingSink(
    "slow",
    (n) => n === 1 ? new Promise<void>((r) => (release = r)) : undefined,
  );
  const fast = recordingSink("file", () => undefined);
  const tracer = new Tracer([slow.sink, fast.sink], {
    flushIntervalMs: 1_000,
    maxPendingLines: 20,
  });
  tracer.emit({ source: "test", event: "e0" });
  const first = tracer.flush();
  await new Promise((r) => setTimeout(r, 0));
  // 50 more, flushed every ten, while the store holds e0: the file takes each ten as it comes;
  // the store's lines wait, and at 20 waiting each new line drops the oldest two.
  const flushes: Promise<void>[] = [];
  for (let i = 1; i <= 50; i++) {
    tracer.emit({ source: "test", event: `e${i}` });
    if (i % 10 === 0) {
      flushes.push(tracer.flush());
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  assertEquals(fast.batches.length, 6);
  release!();
  await within(2_000, "the flushes", Promise.all([first, ...flushes]));
  const names = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `e${from + i}`);
  assertEquals(slow.batches, [["e0"], names(31, 50)]);
  assertEquals(tracer.linesDropped, 30);
  assertEquals(fast.batches.flat(), names(0, 50));
  assertEquals(tracer.sinkErrors, 0);
  await tracer.close();
});

Deno.test("the trace store keeps usage and cost from arrays that hold them, in order with plain ones", async () => {
  const dir = await Deno.makeTempDir();
  const sink = new LibsqlTraceSink({ url: `file:${dir}/traces.sqlite` });
  const ev = (event: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      ts: "2026-12-04T10:00:00.000Z",
      trace_id: "t",
      source: "test",
      event,
      ...extra,
    });
  const usage = { provider: "anthropic", model: "m", input_tokens: 3, output_tokens: 4 };
  await sink.writeJsonArrays([
    `[${ev("a", { data: { note: "plain" } })},${ev("b", { job_id: "j1", duration_ms: 2.5 })}]`,
    `[${ev("c", { job_id: "j1", usage: { ...usage, cost_usd: 0.5 } })}]`,
    `[${ev("d", { cost_usd: 0.25 })},${ev("e", { data: { usage: "a word only" } })}]`,
    `[${ev("f")}]`,
  ]);
  const rows = (await sink.query({ limit: 10 })).map((
    e,
  ) => [e.event, e.usage ?? null, e.cost_usd ?? null]);
  assertEquals(rows, [
    ["a", null, null],
    ["b", null, null],
    ["c", { ...usage, cost_usd: 0.5 }, 0.5],
    ["d", null, 0.25],
    ["e", null, null],
    ["f", null, null],
  ]);
  const [b] = await sink.query({ event: "b" });
  assertEquals([b!.job_id, b!.duration_ms], ["j1", 2.5]);
  await sink.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an array of events may hold usage when either key's name is quoted in it", () => {
  assertEquals(mayHoldUsage('[{"event":"http.request","data":{"route":"/task"}}]'), false);
  assertEquals(mayHoldUsage('[{"event":"x","usage":{"model":"m"}}]'), true);
  assertEquals(mayHoldUsage('[{"event":"x","cost_usd":0.1}]'), true);
  // A value or a deeper key only costs the full insert.
  assertEquals(mayHoldUsage('[{"event":"x","data":{"text":"usage"}}]'), true);
  // The word unquoted, inside a longer string, is no key.
  assertEquals(mayHoldUsage('[{"event":"x","data":{"text":"check the usage limits"}}]'), false);
});

Deno.test("the trace store's worker keeps text beyond ASCII as it was written", async () => {
  const dir = await Deno.makeTempDir();
  const sink = new WorkerLibsqlTraceSink({ url: `file:${dir}/traces.sqlite` });
  const texts = [
    "café — naïve",
    "日本語の文",
    "emoji 🎙️ and \u2028 separator",
    'quote " and \\ slash',
  ];
  try {
    await sink.writeLines(texts.map((text, i) =>
      JSON.stringify({
        ts: "2026-01-01T00:00:00.000Z",
        trace_id: `t${i}`,
        source: "test",
        event: "said",
        utterance_id: "u-text",
        data: { text },
      })
    ));
    const stored = await sink.query({ utterance_id: "u-text" });
    assertEquals(stored.map((e) => e.data?.text), texts);
  } finally {
    await sink.close();
    await Deno.remove(dir, { recursive: true });
  }
});
