import { assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { startTestGateway } from "../_testing/test_gateway.ts";
import { UtteranceFollower } from "./utterance_follower.ts";

async function post(url: string, body: unknown, token?: string): Promise<void> {
  const res = await fetch(`${url}/task`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  await res.body?.cancel();
}

Deno.test("UtteranceFollower reports jobs as they finish and prints the result and cost", async () => {
  const gw = await startTestGateway({ token: "t", pollsUntilDone: 2 });
  const lines: string[] = [];
  const follower = new UtteranceFollower({
    gatewayUrl: gw.url,
    token: "t",
    pollIntervalMs: 5,
    print: (l) => lines.push(l),
    tracer: () => {},
  });
  try {
    await post(
      gw.url,
      { text: "refactor the router and open the dashboard", utterance_id: "u1" },
      "t",
    );
    const statuses: string[] = [];
    follower.on("job", (j) => statuses.push(`${j.job.job_id}:${j.previous}->${j.job.status}`));
    const final = new Promise<string>((r) => follower.on("final", (f) => r(f.view.status)));
    follower.follow("u1", gw.utterances.get("u1")!.jobs);
    assertEquals(await final, "succeeded");
    await follower.whenAllFinal();
    assertEquals(statuses, [
      "job_1:queued->running",
      "job_2:queued->running",
      "job_1:running->succeeded",
      "job_2:running->succeeded",
    ]);
    assertEquals(lines, [
      "“refactor the router and open the dashboard” → succeeded (2 jobs)",
      "  ✓ coding job_1: coding done for: refactor the router and open the dashboard ($0.0010)",
      "  ✓ browser job_2: browser done for: refactor the router and open the dashboard ($0.0020)",
      "  total cost $0.0030 (300 in / 40 out tokens)",
    ]);
    assertEquals(follower.following, 0);
  } finally {
    await follower.close();
    await gw.close();
  }
});

Deno.test("UtteranceFollower rides out a gateway outage and gives up on a refused token", async () => {
  const gw = await startTestGateway({ pollsUntilDone: 0 });
  const follower = new UtteranceFollower({
    gatewayUrl: gw.url,
    pollIntervalMs: 5,
    maxPollIntervalMs: 20,
    tracer: () => {},
  });
  try {
    await post(gw.url, { text: "refactor the router", utterance_id: "u2" });
    await gw.stop();
    const final = new Promise<string>((r) => follower.on("final", (f) => r(f.utterance_id)));
    follower.follow("u2");
    while (follower.stats.pollErrors < 3) await new Promise((r) => setTimeout(r, 5));
    await gw.restart();
    assertEquals(await final, "u2");
  } finally {
    await follower.close();
    await gw.close();
  }
  const secured = await startTestGateway({ token: "right" });
  const refused = new UtteranceFollower({
    gatewayUrl: secured.url,
    token: "wrong",
    tracer: () => {},
  });
  try {
    const gaveUp = new Promise<string>((r) => refused.on("gave_up", (g) => r(g.reason)));
    refused.follow("u3");
    assertStringIncludes(
      await gaveUp,
      "the gateway refused the token (HTTP 401): check GATEWAY_TOKEN",
    );
    await refused.whenAllFinal();
  } finally {
    await refused.close();
    await secured.close();
  }
});

Deno.test("UtteranceFollower takes 'unrouted' as final and prints one 'nothing to do' line", async () => {
  const gw = await startTestGateway({ unrouted: (t) => t.startsWith("hum") });
  const lines: string[] = [];
  const follower = new UtteranceFollower({
    gatewayUrl: gw.url,
    pollIntervalMs: 5,
    print: (l) => lines.push(l),
    tracer: () => {},
  });
  try {
    await post(gw.url, { text: "hum a little tune", utterance_id: "u9" });
    const final = new Promise<string>((r) => follower.on("final", (f) => r(f.view.status)));
    follower.follow("u9");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      final,
      new Promise<string>((r) => timer = setTimeout(() => r("still following after 3 s"), 3000)),
    ]);
    clearTimeout(timer);
    assertEquals(status, "unrouted");
    await follower.whenAllFinal();
    assertEquals(lines, ["nothing to do: no skill matched 'hum a little tune'"]);
    assertEquals(gw.utterances.get("u9")!.polls, 1);
  } finally {
    await follower.close();
    await gw.close();
  }
});

Deno.test("UtteranceFollower.poke() polls at once the utterance an event names, by id or by job", async () => {
  const gw = await startTestGateway({ pollsUntilDone: 3 });
  // Polls would be a minute apart: only pokes can finish the utterance within the test.
  const follower = new UtteranceFollower({
    gatewayUrl: gw.url,
    pollIntervalMs: 60_000,
    tracer: () => {},
  });
  try {
    await post(gw.url, { text: "open the dashboard", utterance_id: "u9" });
    const final = new Promise<string>((r) => follower.on("final", (f) => r(f.view.status)));
    follower.follow("u9", gw.utterances.get("u9")!.jobs);
    const polls = async (n: number) => {
      while (gw.utterances.get("u9")!.polls < n) await new Promise((r) => setTimeout(r, 5));
    };
    await polls(1);
    follower.poke({ utterance_id: "other" });
    follower.poke({ utterance_id: "u9" });
    await polls(2);
    follower.poke({ job_id: gw.utterances.get("u9")!.jobs[0]!.job_id });
    await polls(3);
    follower.poke();
    assertEquals(await final, "succeeded");
    assertEquals(gw.utterances.get("u9")!.polls, 4);
  } finally {
    await follower.close();
    await gw.close();
  }
});
