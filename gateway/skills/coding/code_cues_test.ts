import { assertEquals } from "@shared/testing/asserts.ts";
import { CODE_CUES } from "./code_cues.ts";

const fires = (name: string, text: string) => {
  const cue = CODE_CUES.find((c) => c.name === name)!;
  cue.pattern.lastIndex = 0;
  return cue.pattern.test(text);
};

Deno.test("a question about why our thing misbehaves is a debugging cue", () => {
  assertEquals(
    fires("debugging question", "why does my pygame window freeze when I drag it"),
    true,
  );
  assertEquals(
    fires("debugging question", "how come our export keeps failing on the setting"),
    true,
  );
  assertEquals(fires("debugging question", "why is the status page of the bank timing out"), false);
  assertEquals(fires("debugging question", "why is the sky blue"), false);
});

Deno.test("what our software should do is a change cue; a site's page is not", () => {
  assertEquals(fires("software should", "the level editor should autosave every minute"), true);
  assertEquals(
    fires("software should", "i think the struts action for login needs to check it"),
    true,
  );
  assertEquals(fires("software should", "the build should be green"), false);
});

Deno.test("a component named by its role ends its noun phrase", () => {
  assertEquals(fires("component by role", "add early stopping to the trainer"), true);
  assertEquals(fires("component by role", "the rollover defaults"), false);
  assertEquals(fires("component by role", "ask my manager"), false);
});

Deno.test("inside our app is code, inside a web app is not", () => {
  assertEquals(fires("in our app", "the download button in the shiny app"), true);
  assertEquals(fires("in our app", "accept the invitation in the slack web app"), false);
});

Deno.test("a code verb on a UI part of a page changes our page; clicking it does not", () => {
  const cue = CODE_CUES.find((c) => c.name === "our page")!;
  assertEquals(
    cue.pattern.exec("add a copy to clipboard button to the api keys page")?.[0],
    "api keys page",
  );
  assertEquals(fires("our page", "fix the feedback widget on the settings page"), true);
  assertEquals(fires("our page", "click the save button on the settings page"), false);
});
