/**
 * The Datasette setup against a real `traces.sqlite` written by the gateway's libSQL sink:
 * every table and column the metadata describes exists, every canned query runs and answers
 * what it says; and `deno task datasette` starts Datasette with the metadata, or explains how
 * to install it. (Datasette itself comes from PyPI, which these machines cannot reach: a
 * stand-in `datasette` on PATH records how it is called.)
 */
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { createClient } from "@libsql/client";
import { Tracer } from "@gateway/traces/tracer.ts";
import { LibsqlTraceSink } from "@gateway/traces/libsql_sink.ts";
import { datasetteArgs, installHelp } from "./datasette_command.ts";

const ROOT = new URL("../", import.meta.url);
const METADATA = new URL("data/datasette/metadata.json", ROOT);
const usage = (cost: number) => ({
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  input_tokens: 100,
  output_tokens: 20,
  cost_usd: cost,
});

/** A traces.sqlite with two utterances: a success, a retried death, a failure, requests. */
async function tracesFile(dir: string): Promise<string> {
  const path = `${dir}/traces.sqlite`;
  const tracer = new Tracer([new LibsqlTraceSink({ url: `file:${path}` })]);
  const now = Date.now();
  const at = (s: number) => new Date(now - 3_600_000 + s * 1000).toISOString();
  const e = tracer.emit.bind(tracer);
  e({
    ts: at(0),
    source: "gateway.http",
    event: "http.request",
    duration_ms: 4,
    data: { method: "POST", route: "/task", status: 202 },
  });
  e({
    ts: at(1),
    source: "gateway.http",
    event: "http.request",
    duration_ms: 90,
    data: { method: "GET", route: "/jobs", status: 200 },
  });
  e({
    ts: at(2),
    source: "gateway.engine",
    event: "job.started",
    job_id: "jc",
    utterance_id: "u1",
    data: { intent: "coding" },
  });
  e({
    ts: at(4),
    source: "gateway.engine",
    event: "job.succeeded",
    job_id: "jc",
    utterance_id: "u1",
    duration_ms: 2000,
    usage: usage(0.5),
    data: { intent: "coding", attempts: 1 },
  });
  e({
    ts: at(5),
    source: "gateway.engine",
    event: "job.retry_scheduled",
    job_id: "jb",
    utterance_id: "u1",
    data: { intent: "browser", error_code: "rate_limited" },
  });
  e({
    ts: at(6),
    source: "gateway.engine",
    event: "job.dead",
    job_id: "jb",
    utterance_id: "u1",
    duration_ms: 300,
    data: {
      intent: "browser",
      attempts: 3,
      error_code: "rate_limited",
      error: "429 from the provider",
    },
  });
  e({
    ts: at(7),
    source: "gateway.engine",
    event: "job.failed",
    job_id: "je",
    utterance_id: "u2",
    duration_ms: 5,
    usage: usage(0.25),
    data: { intent: "echo", attempts: 1, error_code: "timeout", error: "too slow" },
  });
  await tracer.close();
  return path;
}

Deno.test("datasetteArgs() serves the file with the metadata on loopback", () => {
  assertEquals(datasetteArgs({ db: "data/traces.sqlite", metadata: "/m.json" }), [
    "serve",
    "data/traces.sqlite",
    "--metadata",
    "/m.json",
    "--host",
    "127.0.0.1",
    "--port",
    "8001",
  ]);
  assertEquals(datasetteArgs({ db: "x", metadata: "m", port: 9000 }).at(-1), "9000");
});

Deno.test("the metadata's tables, columns and canned queries match a real traces.sqlite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "datasette-" });
  const client = createClient({ url: `file:${await tracesFile(dir)}` });
  try {
    const metadata = JSON.parse(await Deno.readTextFile(METADATA));
    const db = metadata.databases.traces;
    for (
      const [table, meta] of Object.entries(
        db.tables as Record<string, { columns?: object; title?: string; description?: string }>,
      )
    ) {
      assert(meta.title && meta.description, `${table} has a title and a description`);
      const columns = (await client.execute(`PRAGMA table_info(${table})`)).rows.map((r) => r.name);
      assert(columns.length > 0, `${table} exists`);
      for (const c of Object.keys(meta.columns ?? {})) assert(columns.includes(c), `${table}.${c}`);
    }
    const queries = db.queries as Record<
      string,
      { sql: string; title: string; description: string }
    >;
    const rows: Record<string, unknown[][]> = {};
    for (const [name, q] of Object.entries(queries)) {
      assert(q.title && q.description, `${name} has a title and a description`);
      const args = q.sql.includes(":utterance_id") ? { utterance_id: "u1" } : {};
      const rs = await client.execute({ sql: q.sql, args });
      rows[name] = rs.rows.map((r) => rs.columns.map((_, i) => r[i]));
    }
    assertEquals(Object.keys(rows).length, 8);
    assertEquals(rows.slowest_jobs!.map((r) => [r[0], r[2], r[3], r[4]]), [
      ["jc", "coding", "succeeded", 2000],
      ["jb", "browser", "dead", 300],
      ["je", "echo", "failed", 5],
    ]);
    assertEquals(rows.failures!.map((r) => [r[1], r[3], r[4], r[5], r[6]]), [
      ["je", "job.failed", "echo", "timeout", "too slow"],
      ["jb", "job.dead", "browser", "rate_limited", "429 from the provider"],
    ]);
    assertEquals(rows.cost_per_utterance!.map((r) => r.slice(0, 6)), [
      ["u1", 2, 1, 100, 20, 0.5],
      ["u2", 1, 0, 100, 20, 0.25],
    ]);
    assertEquals(
      rows.error_rate_by_skill!.map((r) => [r[1], r[2], r[3], r[4]]).sort(),
      [["browser", 1, 1, 1], ["coding", 1, 0, 0], ["echo", 1, 1, 1]],
    );
    assertEquals(rows.cost_by_model, [["anthropic", "claude-sonnet-4-5", 2, 200, 40, 0.75]]);
    assertEquals(rows.retries!.map((r) => r.slice(0, 3)), [["browser", "rate_limited", 1]]);
    assertEquals(rows.slow_requests!.map((r) => [r[1], r[2], r[3], r[4]]), [
      ["GET", "/jobs", 200, 90],
      ["POST", "/task", 202, 4],
    ]);
    assertEquals(rows.utterance_timeline!.map((r) => r[2]), [
      "job.started",
      "job.succeeded",
      "job.retry_scheduled",
      "job.dead",
    ]);
  } finally {
    client.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs `deno task datasette`'s script with the given PATH. */
async function runTool(args: string[], path: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-run", "--allow-env", "tools/datasette.ts", ...args],
    cwd: new URL(".", ROOT),
    // Only PATH decides whether datasette is found; Windows also needs its system folders.
    env: {
      PATH: path,
      ...Object.fromEntries(
        ["SYSTEMROOT", "TEMP", "TMP", "LOCALAPPDATA", "DENO_DIR", "HOME"].flatMap((k) => {
          const v = Deno.env.get(k);
          return v ? [[k, v]] : [];
        }),
      ),
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test({
  name: "deno task datasette runs datasette on the trace file with the metadata",
  ignore: Deno.build.os === "windows", // the stand-in is a shell script
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "datasette-bin-" });
    try {
      await Deno.writeTextFile(`${dir}/traces.sqlite`, "");
      await Deno.writeTextFile(`${dir}/datasette`, '#!/bin/sh\necho "datasette $*"\nexit 3\n');
      await Deno.chmod(`${dir}/datasette`, 0o755);
      const r = await runTool(["--data-dir", dir, "--port", "8123"], dir);
      const metadata = new URL("data/datasette/metadata.json", ROOT).pathname;
      assertEquals(
        r.stdout.trim(),
        `datasette serve ${dir}/traces.sqlite --metadata ${metadata} --host 127.0.0.1 --port 8123`,
      );
      assertEquals(r.code, 3, "its exit code is passed on");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("deno task datasette explains how to install Datasette when it is missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "datasette-none-" });
  try {
    await Deno.writeTextFile(`${dir}/traces.sqlite`, "");
    const r = await runTool(["--data-dir", dir], dir);
    assertEquals(r.code, 1);
    assertEquals(r.stderr.trim(), installHelp(8001));
    assertStringIncludes(r.stderr, "pipx install datasette");
    const missing = await runTool(["--data-dir", `${dir}/nowhere`], dir);
    assertEquals(missing.code, 1);
    assertStringIncludes(missing.stderr, "No trace database at");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
