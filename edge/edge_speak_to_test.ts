/**
 * `deno task edge --input FILE --speak-to DIR` as a real process (Realtime stand-in, imitation
 * gateway on loopback): it exits 0 only once every utterance's fan-in has been printed and
 * spoken, each sentence in DIR as NNN.wav + NNN.txt, in the order it was said.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { parseWav } from "@shared/standins/openai_realtime/pcm_codec.ts";
import { startRealtimeStandIn } from "@shared/standins/openai_realtime/realtime_standin.ts";
import { fixtureScript, loadFixtures } from "@shared/standins/openai_realtime/transcript_script.ts";
import { startTestGateway } from "./_testing/test_gateway.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const FIXTURES = `${ROOT}shared/standins/openai_realtime/fixtures`;

Deno.test({
  name: "edge --input --speak-to: every acknowledgement and summary is spoken before exit 0",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const rt = await startRealtimeStandIn({ script: fixtureScript(await loadFixtures(FIXTURES)) });
    const gw = await startTestGateway({ pollsUntilDone: 1 });
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...await shippedPermissions("edge"),
          `${ROOT}edge/main.ts`,
          "--input",
          `${FIXTURES}/two_requests.wav`,
          "--no-pace",
          "--gateway",
          gw.url,
          "--speak",
          "espeak",
          "--speak-to",
          `${dir}/speech`,
          "--data-dir",
          `${dir}/data`,
          "--logs-dir",
          `${dir}/logs`,
        ],
        env: { OPENAI_REALTIME_URL: rt.url, OPENAI_API_KEY: "", PULSE_SERVER: `unix:${dir}/none` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
      const said = stdout.split("\n").filter((l) => l.startsWith("🔊 ")).map((l) => l.slice(3));
      assertEquals(said.length, 4, stdout);
      assertEquals(said.filter((s) => s.startsWith("On it: ")).length, 2);
      assertEquals(said.filter((s) => /It cost [\d.]+ cents?\.$/.test(s)).length, 2);
      // Every sentence is on disk, in the order said, with real speech in it.
      const files = [...Deno.readDirSync(`${dir}/speech`)].map((e) => e.name).sort();
      assertEquals(files, [
        "001.txt",
        "001.wav",
        "002.txt",
        "002.wav",
        "003.txt",
        "003.wav",
        "004.txt",
        "004.wav",
      ]);
      const texts = await Promise.all(
        [1, 2, 3, 4].map(async (n) => (await Deno.readTextFile(`${dir}/speech/00${n}.txt`)).trim()),
      );
      assertEquals(texts, said);
      const wav = parseWav(await Deno.readFile(`${dir}/speech/004.wav`));
      assert(wav.samples.length > wav.sampleRate, "at least a second of speech");
      // Every POST carried this run's session.
      const sessions = new Set(gw.posts.map((p) => p.session_id));
      assertEquals(sessions.size, 1);
      assert(/^edge-[0-9a-f-]{36}$/.test([...sessions][0]!), [...sessions].join());
    } finally {
      await rt.close();
      await gw.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
