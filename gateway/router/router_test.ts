import { assertEquals } from "@shared/testing/asserts.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "../skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "../skills/browser/browser_patterns.ts";
import { type RoutableSkill, routeUtterance, splitClauses, stripFiller } from "./router.ts";

const skills: RoutableSkill[] = [
  echoSkill,
  { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON },
  { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
];

/** [utterance, expected [intent, clause] pairs in order]; [] means unrouted. */
const table: [string, [string, string][]][] = [
  [
    "Refactor the orchestrator router and open the QA dashboard to verify deploy status",
    [["coding", "Refactor the orchestrator router"], [
      "browser",
      "open the QA dashboard to verify deploy status",
    ]],
  ],
  [
    "refactor the orchestrator router and open the qa dashboard to verify deploy status.",
    [["coding", "refactor the orchestrator router"], [
      "browser",
      "open the qa dashboard to verify deploy status",
    ]],
  ],
  [
    "REFACTOR THE ORCHESTRATOR ROUTER AND OPEN THE QA DASHBOARD",
    [["coding", "REFACTOR THE ORCHESTRATOR ROUTER"], ["browser", "OPEN THE QA DASHBOARD"]],
  ],
  [
    "Um, okay, so… refactor the orchestrator router",
    [["coding", "refactor the orchestrator router"]],
  ],
  ["uh fix the bug in the queue module please", [["coding", "fix the bug in the queue module"]]],
  // A verbless detail after a comma belongs to the request before it.
  [
    "paginate the customer list in the admin console, twenty five per page",
    [["coding", "paginate the customer list in the admin console and twenty five per page"]],
  ],
  // A question about the problem goes with the request after it.
  [
    "how come the checkout page is blank on safari, can you look at the cart component",
    [["coding", "look at the cart component"]],
  ],
  ["so what I want is the dbt model for daily revenue made incremental", [[
    "coding",
    "the dbt model for daily revenue made incremental",
  ]]],
  ["repeat back deploy is green, then check the status page for Stripe", [
    ["echo", "repeat back deploy is green"],
    ["browser", "check the status page for Stripe"],
  ]],
  ["call my manager please", []],
  // A self-correction replaces a detail; it asks for nothing new.
  [
    "go on the new relic site and pull the error rate for checkout api, no sorry, for the orders api",
    [[
      "browser",
      "go on the new relic site and pull the error rate for checkout api and for the orders api",
    ]],
  ],
  // "between … and …" names two things.
  [
    "what's the difference between our staging and prod kustomize overlays",
    [["coding", "what's the difference between our staging and prod kustomize overlays"]],
  ],
  // "instead of" a noun phrase negates that phrase only.
  [
    "instead of a modal let's make the filter panel a bottom sheet on mobile",
    [["coding", "make the filter panel a bottom sheet on mobile"]],
  ],
  ["could you maybe check the Typeform responses for the beta survey, thanks a ton", [[
    "browser",
    "check the Typeform responses for the beta survey",
  ]]],
  ["subscribe to the postgres weekly newsletter with my work email", [[
    "browser",
    "subscribe to the postgres weekly newsletter with my work email",
  ]]],
  ["replace moment with date fns across the web app", [[
    "coding",
    "replace moment with date fns across the web app",
  ]]],
  // Ordinals start a request.
  ["first fix the failing snapshot test, second check the storybook on chromatic", [
    ["coding", "fix the failing snapshot test"],
    ["browser", "check the storybook on chromatic"],
  ]],
  // A weak head named with a site is the site's when the verb is the site's.
  ["go check the supabase table editor to confirm the column exists", [[
    "browser",
    "go check the supabase table editor to confirm the column exists",
  ]]],
  // Several statements and what the speaker was doing are context for the request after them.
  [
    "so the login form on mobile, when you rotate the phone, the keyboard covers the submit button, fix the layout",
    [["coding", "fix the layout"]],
  ],
  [
    "I was looking at the profile page yesterday and the avatar upload is super slow, can you make the resize happen on the server instead",
    [[
      "coding",
      "the avatar upload is super slow and make the resize happen on the server instead",
    ]],
  ],
  // A request pointing back at what a statement named is done there.
  ["the figma file for the new dashboard, can you grab the spacing values from it", [[
    "browser",
    "the figma file for the new dashboard and grab the spacing values from it",
  ]]],
  // A hesitation set off by commas splits nothing; a statement after a request explains it.
  ["erm go to the, uh, the aws console and, um, check the lambda errors", [[
    "browser",
    "go to the aws console and check the lambda errors",
  ]]],
  ["mmm can you look at our landing page on the live site, the hero looks off", [[
    "browser",
    "look at our landing page on the live site and the hero looks off",
  ]]],
  // A code verb on a pronoun changes what the statement named.
  ["the pricing page is broken on safari, can you fix it", [["coding", "fix it"]]],
  ["the search is really slow since yesterday, can you speed it up", [[
    "coding",
    "speed it up",
  ]]],
  // What the speaker does meanwhile is asked of no one.
  ["play some lo-fi while I debug this", []],
  ["fix the flaky test while I grab a coffee", [["coding", "fix the flaky test"]]],
  // What is reported back may name a change: it stays with the page it is read on.
  [
    "find the latest release notes for React Router and tell me what changed with loaders",
    [[
      "browser",
      "find the latest release notes for React Router and tell me what changed with loaders",
    ]],
  ],
  ["echo hello", [["echo", "echo hello"]]],
  ["Echo hello world", [["echo", "Echo hello world"]]],
  ["please echo ping", [["echo", "echo ping"]]],
  ["Okay, echo testing one two three", [["echo", "echo testing one two three"]]],
  ["open https://example.test/status", [["browser", "open https://example.test/status"]]],
  ["Go to the deploy dashboard", [["browser", "Go to the deploy dashboard"]]],
  ["navigate to the billing page and take a screenshot", [[
    "browser",
    "navigate to the billing page and take a screenshot",
  ]]],
  ["visit the status page then fix the failing unit tests", [
    ["browser", "visit the status page"],
    ["coding", "fix the failing unit tests"],
  ]],
  ["Implement a retry helper; open the QA dashboard", [
    ["coding", "Implement a retry helper"],
    ["browser", "open the QA dashboard"],
  ]],
  ["Refactor the router but don't open the browser", [["coding", "Refactor the router"]]],
  ["don't refactor anything, just open the dashboard", [["browser", "open the dashboard"]]],
  ["Do not open the browser", []],
  ["Refactor the router but I don't want you to open the browser", [[
    "coding",
    "Refactor the router",
  ]]],
  ["We'd rather not touch the code; open the QA dashboard", [["browser", "open the QA dashboard"]]],
  ["I do not need you to refactor anything", []],
  ["I want you to open the QA dashboard", [["browser", "open the QA dashboard"]]],
  ["never touch the code", []],
  ["no need to open the dashboard, fix the bug in the parser", [[
    "coding",
    "fix the bug in the parser",
  ]]],
  ["What's the weather like today", []],
  ["um, okay, so", []],
  ["thanks", []],
  ["Hello there", []],
  ["rename the function parseArgs to parseFlags", [[
    "coding",
    "rename the function parseArgs to parseFlags",
  ]]],
  ["write unit tests for the tokenizer", [["coding", "write unit tests for the tokenizer"]]],
  ["add a function that sums usage", [["coding", "add a function that sums usage"]]],
  ["create a new endpoint for metrics", [["coding", "create a new endpoint for metrics"]]],
  ["optimize the VAD module", [["coding", "optimize the VAD module"]]],
  ["debug the failing handler", [["coding", "debug the failing handler"]]],
  ["clean up the orchestrator code and also open the grafana dashboard", [
    ["coding", "clean up the orchestrator code"],
    ["browser", "open the grafana dashboard"],
  ]],
  ["open the QA dashboard. Then refactor the orchestrator router.", [
    ["browser", "open the QA dashboard"],
    ["coding", "refactor the orchestrator router"],
  ]],
  ["search the web for deno kv limits", [["browser", "search the web for deno kv limits"]]],
  ["check the deploy status on the dashboard", [[
    "browser",
    "check the deploy status on the dashboard",
  ]]],
  ["click the deploy button on the release page", [[
    "browser",
    "click the deploy button on the release page",
  ]]],
  ["refactor the parser and the lexer", [["coding", "refactor the parser and the lexer"]]],
  ["open the dashboard and the logs page", [["browser", "open the dashboard and the logs page"]]],
  ["Fix the router, then open the dashboard, then echo done", [
    ["coding", "Fix the router"],
    ["browser", "open the dashboard"],
    ["echo", "echo done"],
  ]],
  ["refactor the router plus migrate the schema", [
    ["coding", "refactor the router and migrate the schema"],
  ]],
  ["hey, could you open the status page for me", [["browser", "open the status page for me"]]],
  ["I need you to fix the bug in the outbox", [["coding", "fix the bug in the outbox"]]],
  ["skip the browser, implement the cache", [["coding", "implement the cache"]]],
  ["log in to the admin console", [["browser", "log in to the admin console"]]],
  ["REFACTOR the Orchestrator ROUTER", [["coding", "REFACTOR the Orchestrator ROUTER"]]],
  ["Echo check the build status of the main branch.", [[
    "echo",
    "Echo check the build status of the main branch",
  ]]],
  ["no need to test it in the browser just rename the variable", [[
    "coding",
    "rename the variable",
  ]]],
  ["I'd rather you didn't touch the code, just open the status page", [[
    "browser",
    "open the status page",
  ]]],
  ["add a toggle to the settings page component", [[
    "coding",
    "add a toggle to the settings page component",
  ]]],
  ["update the README, after that check the docs site", [
    ["coding", "update the README"],
    ["browser", "check the docs site"],
  ]],
  ["open the garage door", []],
  ["so um refactor the router and um open the dashboard", [
    ["coding", "refactor the router"],
    ["browser", "open the dashboard"],
  ]],
];

for (const [utterance, expected] of table) {
  Deno.test(`routeUtterance(): "${utterance}"`, () => {
    const result = routeUtterance(utterance, skills);
    assertEquals(
      result.tasks.map((t) => [t.intent, t.clause]),
      expected,
    );
    assertEquals(result.unrouted, expected.length === 0);
  });
}

Deno.test("routeUtterance() table has at least 40 utterances", () => {
  assertEquals(table.length >= 40, true);
});

Deno.test("routeUtterance() capitalises the instruction and sets the priority", () => {
  const { tasks } = routeUtterance("refactor the router", skills, { priority: "interactive" });
  assertEquals(tasks[0]!.instruction, "Refactor the router");
  assertEquals(tasks[0]!.priority, "interactive");
});

Deno.test("routeUtterance() extracts echo text into params", () => {
  const { tasks } = routeUtterance("echo hello world", skills);
  assertEquals(tasks[0]!.params, { text: "hello world" });
});

Deno.test("routeUtterance() reports negated clauses as skipped with their intent", () => {
  const { skipped } = routeUtterance("refactor the router but don't open the browser", skills);
  assertEquals(skipped, [{
    clause: "don't open the browser",
    reason: "negated",
    intent: "browser",
  }]);
});

Deno.test("stripFiller() removes leading and trailing filler", () => {
  assertEquals(stripFiller("um, okay, so… refactor it, please"), "refactor it");
});

Deno.test("splitClauses() splits on conjunctions and punctuation", () => {
  assertEquals(splitClauses("a and b; c. then d"), ["a", "b", "c", "d"]);
});

Deno.test("splitClauses() breaks at 'while you're at it', 'once you're done' and a new 'can you'", () => {
  assertEquals(
    splitClauses("rename the css while you're at it check the site once you're done run the tests"),
    ["rename the css", "check the site", "run the tests"],
  );
  assertEquals(splitClauses("the button does nothing can you look into it"), [
    "the button does nothing",
    "can you look into it",
  ]);
});

Deno.test("routeUtterance(): a statement of the problem goes with the request after it", () => {
  const result = routeUtterance(
    "the upload button does nothing on safari can you look into the click handler",
    skills,
  );
  assertEquals(result.tasks.map((t) => [t.intent, t.clause]), [
    ["coding", "look into the click handler"],
  ]);
  assertEquals(
    result.tasks[0]!.instruction,
    "The upload button does nothing on safari; look into the click handler",
  );
  assertEquals(result.clauses[0]!.context, "the upload button does nothing on safari");
  // An imperative with a verb the lexicons lack is not a statement: it keeps its own task.
  assertEquals(
    routeUtterance("run through the signup page on staging, then update the changelog", skills)
      .tasks.map((t) => t.intent),
    ["browser", "coding"],
  );
});

Deno.test("routeUtterance(): looking at something on a page just opened stays with the page", () => {
  const intents = (text: string) => routeUtterance(text, skills).tasks.map((t) => t.intent);
  assertEquals(intents("open the jenkins page and check the last build"), ["browser"]);
  assertEquals(intents("load localhost 8080 slash metrics and tell me the queue depth"), [
    "browser",
  ]);
  // A change is not a look: it is its own task.
  assertEquals(intents("open localhost 3000 and fix the header component"), [
    "browser",
    "coding",
  ]);
});

Deno.test("routeUtterance(): 'leave/keep X out of it' negates only its clause", () => {
  assertEquals(
    routeUtterance("leave the browser out of it and refactor the config loader", skills).tasks
      .map((t) => t.intent),
    ["coding"],
  );
});

Deno.test("routeUtterance(): 'forget the X' negates, 'don't forget to' asks", () => {
  const intents = (text: string) => routeUtterance(text, skills).tasks.map((t) => t.intent);
  assertEquals(intents("forget the dashboard, just rename the env variable in the config"), [
    "coding",
  ]);
  assertEquals(intents("don't forget to update the readme"), ["coding"]);
});

Deno.test("routeUtterance(): after a negation, 'just …' is asked for even when unclaimed", () => {
  const intents = (text: string) => routeUtterance(text, skills).tasks.map((t) => t.intent);
  assertEquals(
    intents("don't rewrite the whole thing, just fix the off by one error in the pager"),
    ["coding"],
  );
  // Without a resume word the continuation stays negated.
  assertEquals(intents("never log into the panel and export the users"), []);
});

Deno.test("stripFiller() drops hesitations inside a clause and words said twice", () => {
  assertEquals(
    stripFiller("um i want uh the logout to clear the the local storage"),
    "i want the logout to clear the local storage",
  );
});

Deno.test("routeUtterance(): a bare 'no X' negates only its noun phrase", () => {
  assertEquals(
    routeUtterance("no edits, check if the deploy preview renders the new banner", skills).tasks
      .map((t) => t.intent),
    ["browser"],
  );
});

Deno.test("routeUtterance(): feelings alone and an assistant's request with its details route nowhere", () => {
  const skills = [
    { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON },
    { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
  ];
  for (
    const text of [
      "ugh I'm so behind on the shopify build",
      "set a timer for fifty minutes, pomodoro for the wordpress stuff",
      "it'd be nice if the living room was a bit warmer",
    ]
  ) {
    const r = routeUtterance(text, skills);
    assertEquals([r.unrouted, r.clauses.every((c) => c.assistant)], [true, true], text);
  }
  // Said before a request, the feeling goes with it.
  const fix = routeUtterance("I'm so tired of the flaky login test, can you fix it", skills);
  assertEquals(fix.tasks.map((t) => [t.intent, t.clause]), [
    ["coding", "I'm so tired of the flaky login test and fix it"],
  ]);
});
