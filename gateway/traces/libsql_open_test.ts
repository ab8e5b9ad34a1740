import { assertEquals, assertRejects } from "@shared/testing/asserts.ts";
import { TraceStoreError, WorkerLibsqlTraceSink } from "./worker_libsql_sink.ts";

const SINK = new URL("./libsql_sink.ts", import.meta.url).href;

/** Opens the trace store in a process of its own; prints "ok" or the error. */
function openInProcess(url: string): Promise<string> {
  const code = `import { LibsqlTraceSink } from ${JSON.stringify(SINK)};
const sink = new LibsqlTraceSink({ url: ${JSON.stringify(url)} });
try { await sink.ping(); console.log("ok"); } catch (e) { console.log(String(e)); }
await sink.close();`;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    stdout: "piped",
    stderr: "inherit",
  }).output().then((o) => new TextDecoder().decode(o.stdout).trim());
}

Deno.test("libSQL trace store: processes sharing a data folder open the same new file at once", async () => {
  // Gateways and workers started together each open traces.sqlite and switch it to WAL; the
  // switch takes a lock another process may hold, so it has to wait for it, not fail.
  const dir = await Deno.makeTempDir();
  try {
    for (let round = 0; round < 8; round++) {
      const url = `file:${dir}/traces-${round}.sqlite`;
      const results = await Promise.all(Array.from({ length: 4 }, () => openInProcess(url)));
      assertEquals(results, ["ok", "ok", "ok", "ok"]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("worker trace store: a file it cannot open fails its writes and ends nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/not-a-folder`, "");
    const sink = new WorkerLibsqlTraceSink({ url: `file:${dir}/not-a-folder/traces.sqlite` });
    // The open fails while nothing has asked for the store yet: that must not be an unhandled
    // rejection (it would end the gateway, and fail this test).
    await new Promise((r) => setTimeout(r, 1_000));
    const event = {
      ts: new Date().toISOString(),
      trace_id: "t",
      source: "gateway.http",
      event: "request",
      data: {},
    } as const;
    await assertRejects(() => sink.write([event]), TraceStoreError, "Trace store:");
    await assertRejects(() => sink.close(), TraceStoreError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
