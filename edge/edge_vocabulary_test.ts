/**
 * The vocabulary end to end, as real processes: a gateway serving a git workspace, the edge
 * playing a spoken file with `--vocabulary`, and the Realtime stand-in recording the prompt it
 * got. The default model (`gpt-live-transcribe`) transcribes every utterance with no server
 * turn detection ever asked for.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assertEquals } from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";
import { startRealtimeStandIn } from "@shared/standins/openai_realtime/realtime_standin.ts";
import { fixtureScript, loadFixtures } from "@shared/standins/openai_realtime/transcript_script.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const FIXTURES = `${ROOT}shared/standins/openai_realtime/fixtures`;

async function git(dir: string, ...args: string[]) {
  const out = await new Deno.Command("git", { args: ["-C", dir, ...args], stderr: "piped" })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

Deno.test({
  name:
    "edge process: --vocabulary and the gateway's workspace terms reach the transcription prompt",
  sanitizeResources: false,
  sanitizeOps: false,
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    const workspace = `${dir}/workspace`;
    await Deno.mkdir(`${workspace}/src`, { recursive: true });
    await git(workspace, "init", "-q");
    await Deno.writeTextFile(
      `${workspace}/src/intent_router.ts`,
      "export function routeIntent() {}\nrouteIntent();\n",
    );
    await Deno.writeTextFile(`${dir}/words.txt`, "# spelled as in the code\nOrchestratorRouter\n");
    const standIn = await startRealtimeStandIn({
      script: fixtureScript(await loadFixtures(FIXTURES)),
    });
    const gateway = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...await shippedPermissions("gateway"),
        `${ROOT}gateway/main.ts`,
        ...["--port", "0", "--queue", "memory", "--no-engine", "--log-level", "warning"],
        ...["--data-dir", `${dir}/gw`, "--logs-dir", `${dir}/gwlogs`, "--workspace", workspace],
      ],
      env: { GATEWAY_TOKEN: "" },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      let url = "";
      for await (const line of readLines(gateway.stdout)) {
        if (line.includes('"listening"')) {
          url = JSON.parse(line).url;
          break;
        }
      }
      // The gateway's answer, which the edge asks for in the background at start.
      const answer = await (await fetch(`${url}/vocabulary`)).json();
      assertEquals(answer, { terms: ["routeIntent", "intent_router.ts"] });
      const edge = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...await shippedPermissions("edge"),
          `${ROOT}edge/main.ts`,
          ...["--input", `${FIXTURES}/two_requests.wav`, "--no-follow", "--gateway", url],
          ...["--vocabulary", `${dir}/words.txt`],
          ...["--data-dir", `${dir}/edge`, "--logs-dir", `${dir}/edgelogs`],
        ],
        env: { OPENAI_REALTIME_URL: standIn.url, OPENAI_API_KEY: "", GATEWAY_TOKEN: "" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(edge.code, 0, new TextDecoder().decode(edge.stderr).slice(-2000));
      assertEquals(
        standIn.stats.prompts.at(-1),
        "Vocabulary: OrchestratorRouter, routeIntent, intent_router.ts.",
      );
      assertEquals(standIn.stats.turnDetectionRefused, 0);
      assertEquals(standIn.stats.errorsSent, 0);
      const sentences = (await Deno.readTextFile(`${FIXTURES}/two_requests.txt`)).trim().split(
        "\n",
      );
      assertEquals(standIn.stats.transcripts, sentences);
    } finally {
      try {
        gateway.kill("SIGTERM");
      } catch { /* gone */ }
      await gateway.status;
      await standIn.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
