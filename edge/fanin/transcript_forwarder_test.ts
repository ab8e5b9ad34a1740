import { assertEquals } from "@shared/testing/asserts.ts";
import { RealtimeTranscriber } from "../realtime/realtime_transcriber.ts";
import { Outbox } from "../outbox/outbox.ts";
import { startTestGateway } from "../_testing/test_gateway.ts";
import { UtteranceFollower } from "./utterance_follower.ts";
import { forwardTranscripts } from "./transcript_forwarder.ts";

Deno.test({
  name:
    "forwardTranscripts() prints 'nothing to do' for an unrouted utterance and does not follow it",
  permissions: { net: ["127.0.0.1"], read: true, write: true },
  async fn() {
    const dataDir = await Deno.makeTempDir();
    const gw = await startTestGateway({ unrouted: (t) => t.startsWith("hum"), pollsUntilDone: 0 });
    const quiet = () => {};
    // Never started: only its events are wired; utterances are put into the outbox directly.
    const transcriber = new RealtimeTranscriber({ apiKey: "k", url: "ws://127.0.0.1:9" });
    const outbox = await Outbox.open({ dataDir, gatewayUrl: gw.url, tracer: quiet });
    const lines: string[] = [];
    const follower = new UtteranceFollower({
      gatewayUrl: gw.url,
      pollIntervalMs: 5,
      print: (l) => lines.push(l),
      tracer: quiet,
    });
    const unwire = forwardTranscripts({
      transcriber,
      outbox,
      follower,
      print: (l) => lines.push(l),
    });
    try {
      outbox.start();
      outbox.enqueue({ utterance_id: "u1", text: "hum a little tune" });
      outbox.enqueue({ utterance_id: "u2", text: "refactor the router" });
      await outbox.whenDrained();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = await Promise.race([
        follower.whenAllFinal().then(() => "settled"),
        new Promise<string>((r) => timer = setTimeout(() => r("still following after 5 s"), 5000)),
      ]);
      clearTimeout(timer);
      assertEquals(settled, "settled");
      assertEquals(follower.stats.followed, 1);
      assertEquals(gw.utterances.get("u1")!.polls, 0, "the unrouted utterance is not polled");
      assertEquals(lines, [
        "nothing to do: no skill matched 'hum a little tune': I can change code or check a web page; I didn't catch which.",
        "“refactor the router” → succeeded (1 job)",
        "  ✓ coding job_1: coding done for: refactor the router ($0.0010)",
        "  total cost $0.0010 (100 in / 20 out tokens)",
      ]);
    } finally {
      unwire();
      await outbox.close();
      await follower.close();
      await transcriber.close();
      await gw.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
