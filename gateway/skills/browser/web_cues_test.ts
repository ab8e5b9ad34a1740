import { assertEquals } from "@shared/testing/asserts.ts";
import { WEB_CUES } from "./web_cues.ts";

const fact = (text: string) => {
  const cue = WEB_CUES.find((c) => c.name === "fact sought")!;
  return cue.pattern.exec(text)?.[0] ?? null;
};

Deno.test("a fact sought is read on the web, with its qualifiers", () => {
  assertEquals(
    fact("find the submission deadline for neurips this year"),
    "the submission deadline",
  );
  assertEquals(
    fact("find the official deprecation timeline for the library"),
    "the official deprecation timeline",
  );
  assertEquals(fact("I need the latest release notes for godot"), "the latest release notes");
});

Deno.test("our own pages and code about a fact are not sought on the web", () => {
  assertEquals(fact("check the pricing page component"), null);
  assertEquals(fact("update the pricing for the pro plan"), null);
  assertEquals(fact("check the weather forecast for the weekend"), null);
});
