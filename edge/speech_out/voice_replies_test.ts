/**
 * What the edge says for each answer, through the real outbox and follower against the
 * imitation gateway on loopback.
 */
import { assertEquals } from "@shared/testing/asserts.ts";
import { Outbox } from "../outbox/outbox.ts";
import { startTestGateway } from "../_testing/test_gateway.ts";
import { UtteranceFollower } from "../fanin/utterance_follower.ts";
import { forwardTranscripts } from "../fanin/transcript_forwarder.ts";
import { speakReplies } from "./voice_replies.ts";

Deno.test("speakReplies() says the acknowledgement, the command's answer, the unrouted line and the summary", async () => {
  const dir = await Deno.makeTempDir();
  for (const unroutedSay of [undefined, "I can code, browse or echo."]) {
    const gw = await startTestGateway({
      pollsUntilDone: 1,
      unrouted: (t) => t.startsWith("hmm"),
      unroutedSay: unroutedSay ?? null,
      control: (t) =>
        t === "cancel that"
          ? { action: "cancel", job_ids: [], say: "Nothing to cancel." }
          : undefined,
    });
    const outbox = await Outbox.open({
      dataDir: `${dir}/${unroutedSay ? "b" : "a"}`,
      gatewayUrl: gw.url,
      sessionId: "s1",
      tracer: () => {},
    });
    const follower = new UtteranceFollower({
      gatewayUrl: gw.url,
      pollIntervalMs: 5,
      tracer: () => {},
    });
    const said: string[] = [];
    const printed: string[] = [];
    // The transcriber is not used here: the forwarder only needs its `on`.
    const transcriber = { on: () => () => {} } as unknown as Parameters<
      typeof forwardTranscripts
    >[0]["transcriber"];
    forwardTranscripts({ transcriber, outbox, follower, print: (l) => printed.push(l) });
    speakReplies({ outbox, follower, speaker: { say: (t) => said.push(t) } });
    try {
      outbox.start();
      outbox.enqueue({ utterance_id: "u1", text: "refactor the router and open the dashboard" });
      await outbox.whenDrained();
      await follower.whenAllFinal();
      outbox.enqueue({ utterance_id: "u2", text: "cancel that" });
      outbox.enqueue({ utterance_id: "u3", text: "hmm what" });
      await outbox.whenDrained();
      assertEquals(said, [
        "On it: coding and browser.",
        "Coding: coding done for: refactor the router and open the dashboard. Browser: browser done for: refactor the router and open the dashboard. It cost 0.3 cents.",
        "Nothing to cancel.",
        unroutedSay ?? "I didn't catch what to do.",
      ]);
      // A command is printed as what it did, never as "nothing to do", and is not followed.
      assertEquals(printed.filter((l) => l.startsWith("» cancel")), [
        "» cancel: Nothing to cancel.",
      ]);
      assertEquals(printed.filter((l) => l.startsWith("nothing to do")).length, 1);
      assertEquals(gw.posts.map((p) => p.session_id), ["s1", "s1", "s1"]);
    } finally {
      await outbox.close();
      await follower.close();
      await gw.close();
    }
  }
  await Deno.remove(dir, { recursive: true });
});
