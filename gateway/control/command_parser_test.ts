import { assertEquals } from "@shared/testing/asserts.ts";
import { normalizeCommandText, parseCommand } from "./command_parser.ts";

/** [utterance, action, intent?] for each command, in many everyday and ASR-style phrasings. */
const COMMANDS: [string, string, string?][] = [
  // cancel
  ["cancel that", "cancel"],
  ["Cancel that.", "cancel"],
  ["stop that", "cancel"],
  ["never mind", "cancel"],
  ["Nevermind!", "cancel"],
  ["uh, never mind", "cancel"],
  ["abort", "cancel"],
  ["ABORT!", "cancel"],
  ["okay, cancel it please", "cancel"],
  ["Could you please stop it?", "cancel"],
  ["stop, stop, stop", "cancel"],
  ["No, stop that.", "cancel"],
  ["cancel everything", "cancel"],
  ["cancel all of them", "cancel"],
  ["stop the job", "cancel"],
  ["kill it", "cancel"],
  ["forget about it", "cancel"],
  ["call it off", "cancel"],
  ["stop what you're doing", "cancel"],
  ["Stop working on that, thanks.", "cancel"],
  ["cancel the coding job", "cancel", "coding"],
  ["stop the browser one", "cancel", "browser"],
  ["Cancel. That.", "cancel"],
  ["hold on, stop that", "cancel"],
  ["Wait, cancel it!", "cancel"],
  ["scratch that", "cancel"],
  ["don't bother", "cancel"],
  ["Never mind, cancel that.", "cancel"],
  ["Please abort the coding task.", "cancel", "coding"],
  ["cancel my request", "cancel"],
  ["Cancel the job I just started", "cancel"],
  // confirm
  ["confirm", "confirm"],
  ["yes, go ahead", "confirm"],
  ["Yes. Go ahead.", "confirm"],
  ["approve it", "confirm"],
  ["do it", "confirm"],
  ["yes", "confirm"],
  ["Yeah, do it.", "confirm"],
  ["yes please", "confirm"],
  ["okay go ahead", "confirm"],
  ["Sure, go ahead and do it.", "confirm"],
  ["I approve", "confirm"],
  ["confirm the browser one", "confirm", "browser"],
  ["Approve the coding job please", "confirm", "coding"],
  ["yes, the browser one", "confirm", "browser"],
  ["Yep, proceed.", "confirm"],
  ["allow it", "confirm"],
  ["yes I confirm", "confirm"],
  ["Okay, go ahead, do it.", "confirm"],
  ["Sure, why not.", "confirm"],
  ["Yes, you can do that.", "confirm"],
  ["Yes, please do.", "confirm"],
  // deny
  ["deny", "deny"],
  ["no, don't do that", "deny"],
  ["No. Don't do that.", "deny"],
  ["reject it", "deny"],
  ["no", "deny"],
  ["Nope.", "deny"],
  ["no thanks", "deny"],
  ["dont do it", "deny"],
  ["do not proceed", "deny"],
  ["Deny the browser one.", "deny", "browser"],
  ["um, reject that please", "deny"],
  ["No, decline it.", "deny"],
  ["Absolutely not.", "deny"],
  ["Nah, don't.", "deny"],
  ["I deny", "deny"],
  // status
  ["status", "status"],
  ["what's running?", "status"],
  ["What is running", "status"],
  ["whats running", "status"],
  ["what are you working on?", "status"],
  ["What are you currently working on?", "status"],
  ["uh, what's the status?", "status"],
  ["status update please", "status"],
  ["give me a status update", "status"],
  ["Any updates?", "status"],
  ["what's going on?", "status"],
  ["are you done yet?", "status"],
  ["Tell me what's running.", "status"],
  ["Could you tell me what you're working on right now?", "status"],
  ["What's the status of my jobs?", "status"],
  ["Anything running?", "status"],
  ["What's the progress?", "status"],
  ["How far along are you?", "status"],
  ["is the coding job done yet?", "status", "coding"],
  // retry
  ["retry that", "retry"],
  ["try again", "retry"],
  ["Try that again, please.", "retry"],
  ["retry", "retry"],
  ["uh, try it again", "retry"],
  ["do it again", "retry"],
  ["Could you retry the coding job?", "retry", "coding"],
  ["run it again", "retry"],
  ["one more time", "retry"],
  ["rerun the failed one", "retry"],
  ["Yes, try again", "retry"],
  ["Try it one more time", "retry"],
];

/** Work requests, commands mixed with work, and unrelated sentences: never commands. */
const NOT_COMMANDS = [
  "cancel that and open the dashboard",
  "stop that and refactor the router",
  "cancel the dashboard deployment",
  "stop the server on port 8080",
  "open the QA dashboard",
  "refactor the orchestrator router",
  "confirm the order on the website",
  "approve the pull request on GitHub",
  "check the status of the deploy on the dashboard",
  "what's the weather in Paris?",
  "retry the failed deploy in the CI dashboard",
  "yes and also open the dashboard",
  "no, open the browser and check the logs",
  "don't forget to update the README",
  "echo hello world",
  "try again to load the website and take a screenshot",
  "what is running on port 3000",
  "",
  "   ",
  "okay",
  "uh",
  "the cat sat on the mat",
  "never mind the tests, refactor the parser",
  "restart the server",
  "shut down the database",
  "what's the status of the deploy pipeline on the dashboard",
  "echo cancel that",
  "open the browser and approve the request",
  "yes open the dashboard",
  "try the new restaurant again",
  "Cancel my 3 pm meeting",
  "open it again",
  "do the dishes",
];

Deno.test("parseCommand() recognises every action in varied phrasings", () => {
  for (const [text, action, intent] of COMMANDS) {
    assertEquals(
      parseCommand(text),
      { action, ...(intent ? { intent } : {}) },
      `"${text}" should be ${action}${intent ? ` (${intent})` : ""}`,
    );
  }
});

Deno.test("parseCommand() leaves work, mixed requests and other sentences alone", () => {
  for (const text of NOT_COMMANDS) {
    assertEquals(parseCommand(text), null, `"${text}" is not a command`);
  }
});

Deno.test("parseCommand() picks by the skills it is given", () => {
  assertEquals(parseCommand("cancel the deploy job", { intents: ["deploy"] }), {
    action: "cancel",
    intent: "deploy",
  });
  assertEquals(parseCommand("cancel the deploy job", { intents: ["coding"] }), null);
  assertEquals(parseCommand("confirm the web one", { intents: ["browser"] }), {
    action: "confirm",
    intent: "browser",
  });
});

Deno.test("normalizeCommandText() drops punctuation, case, fillers and polite openings", () => {
  const table: [string, string][] = [
    ["Yes. Go ahead.", "yes go ahead"],
    ["Okay, cancel it please!", "cancel it"],
    ["Uh… what’s running?", "what is running"],
    ["Could you please tell me what's going on?", "what is going on"],
    ["No, don't do that.", "no do not do that"],
    ["re-run it", "re run it"],
  ];
  for (const [input, want] of table) assertEquals(normalizeCommandText(input), want, input);
});
