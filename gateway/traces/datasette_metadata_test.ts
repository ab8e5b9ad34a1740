import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { Tracer } from "./tracer.ts";
import { WorkerLibsqlTraceSink } from "./worker_libsql_sink.ts";

const METADATA = new URL("../../data/datasette/metadata.json", import.meta.url);

Deno.test("every canned Datasette query runs against a real traces.sqlite", async () => {
  const dir = await Deno.makeTempDir();
  const tracer = new Tracer([new WorkerLibsqlTraceSink({ url: `file:${dir}/traces.sqlite` })]);
  tracer.emit({
    source: "gateway.http",
    event: "http.request",
    duration_ms: 3,
    data: { method: "POST", route: "/task", status: 202 },
  });
  tracer.emit({
    source: "gateway.engine",
    event: "job.succeeded",
    job_id: "j1",
    utterance_id: "u1",
    duration_ms: 40,
    usage: {
      provider: "anthropic",
      model: "m",
      input_tokens: 10,
      output_tokens: 5,
      cost_usd: 0.25,
    },
    data: { intent: "coding", attempts: 1 },
  });
  tracer.emit({
    source: "gateway.engine",
    event: "job.dead",
    job_id: "j2",
    utterance_id: "u1",
    duration_ms: 5,
    data: { intent: "echo", attempts: 3, error_code: "timeout", error: "too slow" },
  });
  await tracer.close();
  const metadata = JSON.parse(await Deno.readTextFile(METADATA));
  const queries = metadata.databases.traces.queries as Record<string, { sql: string }>;
  assert(Object.keys(queries).length >= 3);
  const script = `
import sqlite3, json, sys
c = sqlite3.connect(sys.argv[1])
out = {}
for name, q in json.loads(sys.argv[2]).items():
    out[name] = c.execute(q["sql"], {"utterance_id": "u1"}).fetchall()
print(json.dumps(out))`;
  const py = await new Deno.Command("python3", {
    args: ["-c", script, `${dir}/traces.sqlite`, JSON.stringify(queries)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(new TextDecoder().decode(py.stderr), "");
  const rows = JSON.parse(new TextDecoder().decode(py.stdout));
  assertEquals(rows.cost_per_utterance, [["u1", 2, 1, 10, 5, 0.25, rows.cost_per_utterance[0][6]]]);
  assertEquals(rows.failures.map((r: unknown[]) => [r[1], r[3], r[5]]), [[
    "j2",
    "job.dead",
    "timeout",
  ]]);
  assertEquals(rows.slowest_jobs[0][0], "j1");
  assertEquals(rows.utterance_timeline.length, 2);
  await Deno.remove(dir, { recursive: true });
});
