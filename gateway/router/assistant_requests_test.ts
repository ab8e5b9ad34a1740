import { assertEquals } from "@shared/testing/asserts.ts";
import { assistantRequest, homeRequest, speakerFeeling } from "./assistant_requests.ts";

Deno.test("assistant requests are recognised by their opening verb", () => {
  for (
    const clause of [
      "remind me on monday to renew my badge at reception",
      "set a timer for twenty minutes i need to reboot the build server after lunch",
      "set an alarm for six",
      "send a message to priya saying the meeting moved",
      "text my brother that the deploy is done",
      "play some lofi music while I refactor",
    ]
  ) assertEquals(assistantRequest(clause), true, clause);
});

Deno.test("work that looks like an assistant request is not one", () => {
  for (
    const clause of [
      "send a test message to the webhook",
      "call the api with a timeout",
      "set the timeout to thirty seconds",
      "add a timer to the game loop",
      "email the report from the dashboard",
      "play the test video on the staging site",
    ]
  ) assertEquals(assistantRequest(clause), false, clause);
});

Deno.test("an assistant request takes its clause, and what it says routes nowhere", async () => {
  const { routeUtterance } = await import("./router.ts");
  const { CODING_LEXICON, CODING_PATTERNS } = await import(
    "../skills/coding/coding_patterns.ts"
  );
  const skills = [{ intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON }];
  const routed = routeUtterance(
    "set a timer for ten minutes, I need to reboot the build server",
    skills,
  );
  assertEquals(routed.unrouted, true);
  const both = routeUtterance("remind me to renew my badge and fix the parser tests", skills);
  assertEquals(both.tasks.map((t) => t.intent), ["coding"]);
});

Deno.test("homeRequest(): comfort asked of a room or a home device, unless a skill's object is named", () => {
  for (
    const clause of [
      "it'd be cool if the living room was a bit warmer",
      "the light in the meeting room is too bright",
      "turn the lights off in the kitchen",
      "can you make the bedroom cooler",
      "switch the heating on",
      "turn off the lights",
    ]
  ) assertEquals(homeRequest(clause, false), true, clause);
  for (
    const clause of [
      "the light theme is too bright",
      "make the modal darker",
      "the living room scene in the game loads slowly",
    ]
  ) assertEquals(homeRequest(clause, false), false, clause);
  assertEquals(homeRequest("the thermostat component should turn off the fan", true), false);
});

Deno.test("assistant requests: the speaker's calendar, the time, the device's own modes", () => {
  for (
    const clause of [
      "put a meeting with the florist client in my calendar for thursday at two",
      "what's on my calendar for sprint review",
      "what time is it in sydney",
      "how many hours have I got left today",
      "turn on do not disturb until the call ends",
      "silence my notifications",
    ]
  ) assertEquals(assistantRequest(clause), true, clause);
  for (
    const clause of [
      "add the release date to the calendar component",
      "fix the time zone bug in the calendar view",
      "add a do not disturb toggle to the settings screen",
    ]
  ) assertEquals(assistantRequest(clause), false, clause);
});

Deno.test("speakerFeeling(): how the speaker feels, not what they ask", () => {
  for (
    const clause of [
      "I'm so tired of clients asking to make the logo bigger",
      "ugh I'm so behind on the shopify build",
      "I just want to vent for a second",
    ]
  ) assertEquals(speakerFeeling(clause), true, clause);
  for (
    const clause of [
      "I'm adding a new endpoint",
      "tired of waiting, fix the test",
      "I need to vent the logs",
    ]
  ) assertEquals(speakerFeeling(clause), false, clause);
});
