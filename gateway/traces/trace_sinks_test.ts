import { assertEquals } from "@shared/testing/asserts.ts";
import type { TraceEvent } from "@shared/schemas/mod.ts";
import { Tracer } from "./tracer.ts";
import { JsonlTraceSink } from "./jsonl_sink.ts";
import { WorkerLibsqlTraceSink } from "./worker_libsql_sink.ts";

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
  const tracer = new Tracer([]);
  const e = tracer.emit({
    source: "test",
    event: "x",
    data: { header: "Bearer abcdefghijklmnop", note: "key sk-ant-api03-zzzzzzzzzz" },
  });
  assertEquals(e.data, { header: "[REDACTED]", note: "key [REDACTED]" });
  await tracer.close();
});
