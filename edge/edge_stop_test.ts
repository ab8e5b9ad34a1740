/**
 * How the streaming edge stops, as a real process on loopback: a refused gateway token ends
 * the run with one error and the utterances kept; the first Ctrl-C waits a bounded time for
 * what is in flight and says what is left; the second Ctrl-C quits at once.
 */
import { freePort } from "@shared/testing/process.ts";
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";
import { startRealtimeStandIn } from "@shared/standins/openai_realtime/realtime_standin.ts";
import { startTestGateway } from "./_testing/test_gateway.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const SPEECH = `${ROOT}shared/standins/openai_realtime/fixtures/two_requests.wav`;
const RUN = ["run", ...await shippedPermissions("edge")];

interface EdgeRun {
  child: Deno.ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the first stdout line that starts with `prefix`. */
  line(prefix: string): Promise<string>;
  /** Exit code, or "timeout" when the edge was still running after `ms` (it is then killed). */
  exit(ms: number): Promise<number | "timeout">;
}

function runEdge(
  dir: string,
  options: { realtimeUrl: string; gatewayUrl: string; pace: boolean; token?: string },
): EdgeRun {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...RUN,
      `${ROOT}edge/main.ts`,
      "--input",
      SPEECH,
      ...(options.pace ? [] : ["--no-pace"]),
      "--gateway",
      options.gatewayUrl,
      "--data-dir",
      `${dir}/edge`,
      "--logs-dir",
      `${dir}/logs`,
    ],
    env: {
      OPENAI_REALTIME_URL: options.realtimeUrl,
      OPENAI_API_KEY: "",
      GATEWAY_TOKEN: options.token ?? "",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void }[] = [];
  const out = (async () => {
    for await (const l of readLines(child.stdout)) {
      stdout.push(l);
      for (const w of waiters.filter((w) => l.startsWith(w.prefix))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  })();
  const err = (async () => {
    for await (const l of readLines(child.stderr)) stderr.push(l);
  })();
  return {
    child,
    stdout,
    stderr,
    line(prefix) {
      const seen = stdout.find((l) => l.startsWith(prefix));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ prefix, resolve }));
    },
    async exit(ms) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        child.status.then((s) => s.code),
        new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), ms)),
      ]);
      clearTimeout(timer);
      if (result === "timeout") {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        await child.status;
      }
      await out;
      await err;
      return result;
    },
  };
}

async function outboxFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(`${dir}/edge/outbox`)) {
    if (e.isFile && e.name.endsWith(".json")) n++;
  }
  return n;
}

/** Human lines of stderr (the rest are JSON log lines). */
const plain = (lines: string[]) => lines.filter((l) => !l.startsWith("{"));

const opts = { sanitizeResources: false, sanitizeOps: false, ignore: Deno.build.os === "windows" };

Deno.test({
  name: "edge process: a refused GATEWAY_TOKEN is one clear error, exit 1, utterances kept",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const rt = await startRealtimeStandIn();
    const gw = await startTestGateway({ token: "right" });
    try {
      const edge = runEdge(dir, {
        realtimeUrl: rt.url,
        gatewayUrl: gw.url,
        pace: false,
        token: "wrong",
      });
      const code = await edge.exit(60_000);
      assertEquals(code, 1, edge.stderr.slice(-20).join("\n"));
      assertEquals(plain(edge.stderr), [
        "error: the gateway refused the token (401): check GATEWAY_TOKEN",
      ]);
      const kept = await outboxFiles(dir);
      assert(kept >= 1, "the refused utterances are on disk");
      assertEquals(
        edge.stdout.filter((l) => l.includes("not delivered")),
        [`${kept} utterance(s) not delivered: kept in ${dir}/edge/outbox for the next start`],
      );
      // GET /vocabulary at start, then one refused POST /task, then sending stopped.
      assertEquals(gw.unauthorized, 2, "one refused task request, then sending stopped");
      assertEquals(gw.utterances.size, 0);
    } finally {
      await gw.close();
      await rt.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "edge process: the first Ctrl-C waits at most 5 s for a gateway that is down, then lists what stays in the outbox",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const rt = await startRealtimeStandIn();
    try {
      const edge = runEdge(dir, {
        realtimeUrl: rt.url,
        gatewayUrl: `http://127.0.0.1:${freePort()}`,
        pace: true,
      });
      await edge.line("» "); // the first utterance is transcribed and waits in the outbox
      const at = performance.now();
      edge.child.kill("SIGINT");
      const code = await edge.exit(20_000);
      const took = performance.now() - at;
      assertEquals(code, 130, edge.stderr.slice(-20).join("\n"));
      // Bounded by the 5 s grace, with room for a loaded machine; a hang meets exit(20_000).
      assert(took < 15_000, `exited ${Math.round(took)} ms after Ctrl-C`);
      const kept = await outboxFiles(dir);
      assert(kept >= 1);
      const tail = edge.stdout.slice(edge.stdout.indexOf(
        "Stopping: waiting up to 5 s for utterances in flight (Ctrl-C again to quit now)",
      ));
      assertEquals(tail.filter((l) => !l.startsWith("» ")), [
        "Stopping: waiting up to 5 s for utterances in flight (Ctrl-C again to quit now)",
        `${kept} utterance(s) not delivered: kept in ${dir}/edge/outbox for the next start`,
      ]);
    } finally {
      await rt.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "edge process: Ctrl-C with the provider unreachable ends within 5 s; a second Ctrl-C quits at once",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const port = freePort();
    const args = {
      realtimeUrl: `ws://127.0.0.1:${port}`,
      gatewayUrl: `http://127.0.0.1:${port}`,
      pace: true,
    };
    try {
      // Speech has begun (the first sentence starts within a second), and is never transcribed.
      const once = runEdge(dir, args);
      await once.line("Listening");
      await new Promise((r) => setTimeout(r, 2500));
      let at = performance.now();
      once.child.kill("SIGINT");
      assertEquals(await once.exit(20_000), 130);
      let took = performance.now() - at;
      // Bounded by the 5 s grace, with room for a loaded machine; a hang meets exit(20_000).
      assert(took < 15_000, `exited ${Math.round(took)} ms after Ctrl-C`);
      assertEquals(once.stdout.slice(-2), [
        "Stopping: waiting up to 5 s for utterances in flight (Ctrl-C again to quit now)",
        "1 speech segment(s) not transcribed: lost",
      ]);

      const twice = runEdge(dir, args);
      await twice.line("Listening");
      await new Promise((r) => setTimeout(r, 2500));
      twice.child.kill("SIGINT");
      await twice.line("Stopping:");
      at = performance.now();
      twice.child.kill("SIGINT");
      assertEquals(await twice.exit(20_000), 130);
      took = performance.now() - at;
      // Without waiting for the 5 s grace (the first Ctrl-C's), with room for a loaded machine.
      assert(took < 4500, `exited ${Math.round(took)} ms after the second Ctrl-C`);
      assertEquals(plain(twice.stderr), ["error: interrupted twice: quitting without waiting"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
