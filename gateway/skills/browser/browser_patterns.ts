/**
 * @module
 * How the router recognises a browser request: what it acts on (a site, a page on a site, a
 * panel, form, dashboard, tab, URL, an account), URLs as they are spoken ("example dot com",
 * "localhost 3000"), and the verbs of the web ("open", "log into", "fill out", "sign up",
 * "look up on the web", "take a screenshot of"), with or without "open".
 */
import type { SkillPattern } from "../../skill_kit/skill.ts";
import { nouns, type SkillLexicon, verbs } from "../../skill_kit/lexicon.ts";
import { WEB_CUES } from "./web_cues.ts";
import {
  PERSONAL_MATTERS,
  TEST_ENTRIES,
  WEB_DESTINATIONS,
  WEB_INFORMATION,
  WEB_TOPICS,
} from "./web_vocabulary.ts";

/** Plain patterns beside the lexicon: a written URL settles it. */
export const BROWSER_PATTERNS: readonly SkillPattern[] = [
  { pattern: /\bhttps?:\/\/\S+/i, weight: 3 },
];

const TLDS = "com|org|net|io|dev|app|co|uk|de|fr|eu|edu|gov|ai|me|info|xyz|test|local|site|gg|tv|" +
  "ly|so|fm|cc|us|ca|jp|nl|se|ch|au|page|cloud|tech|online|website|host";

/** Names of files that take a variant after a dot ("dockerfile dot dev", "env dot local"). */
const FILE_STEMS =
  "(?:dockerfile|makefile|procfile|jenkinsfile|gemfile|vagrantfile|env|config|settings|tsconfig|" +
  "jsconfig|compose|docker-compose|requirements|readme)";

const DIGIT = "zero|oh|one|two|three|four|five|six|seven|eight|nine";
/** A number as said: "127", "one two seven", "zero". */
const SPOKEN_NUMBER = `(?:\\d{1,3}|(?:${DIGIT})(?:\\s+(?:${DIGIT})){0,2})`;

export const BROWSER_LEXICON: SkillLexicon = {
  strongVerbs: verbs([
    "browse",
    "navigate",
    "screenshot",
    "take a screenshot",
    "grab a screenshot",
    "snap a screenshot",
    "google",
    "log in/into/on/onto",
    "sign in/into/on/up",
    "sign me/us/them up",
    "login to/into",
    "click",
    "scroll",
    "bookmark",
    "upvote",
    "downvote",
    "retweet",
  ]).concat(
    // Looking something up names no object ("look up when Node 22 goes end of life"), but a
    // code object still outweighs it ("look up the function definition").
    verbs(["look up", "look it/that/this/them up"], 2),
    // Pronoun forms of web verbs: "fill it out", "pull that up".
    verbs(["fill it/that/this out/in", "pull it/that/this up"], 2),
  ),
  verbs: [
    ...verbs([
      "open",
      "open up",
      "visit",
      "go to/on/over/into/in",
      "pop into/over/onto/by",
      "hop onto/on/over/into",
      "swing by",
      "head to/over",
      "load",
      "reload",
      "refresh",
      "pull up",
      "fill out/in",
      "submit",
      "search",
      "download",
      "log out",
      // What is done to a site's own widgets: "accept the cookie banner", "dismiss the popup".
      "accept",
      "dismiss",
      "purge",
      // Narrowing what a page shows: "filter by the ingest service".
      "filter",
      // What is done on a site on one's behalf.
      "subscribe",
      "unsubscribe",
      "renew",
      "book",
      "reserve",
      "enroll",
      "rsvp",
      "invite",
      "approve",
      "star",
      "unstar",
      "comment on",
      "reply to",
      "upvote",
      "buy",
      "purchase",
      "pay",
      "apply for",
      "attach",
      // Work on an issue tracker ("assign the login bug to me", "label the bugs").
      "assign",
      "reassign",
      "unassign",
      "triage",
      "label",
    ]),
    ...verbs(
      [
        "check",
        "verify",
        "confirm",
        "see",
        "look at",
        "find",
        "read",
        "grab",
        "compare",
        "copy",
        // Asking to be shown something ("show me the latest Sentry errors"); "give me a recipe"
        // asks the assistant, not a site.
        "show me",
        "fetch me",
        // Reading through what is on a page ("go through it", "skim the notifications").
        "go through",
        "look through",
        "skim",
        // Actions in a web tool just opened ("pop over to Splunk and run the query").
        "run",
        "rerun",
        "re-run",
        "trigger",
        "kick off",
      ],
      1,
    ),
  ],
  objects: [
    ...nouns([
      "browser",
      "website",
      "web site",
      "web page",
      "webpage",
      "homepage",
      "home page",
      "form",
      "tab",
      "login",
      "signup",
      "account",
      "intranet",
      "wiki",
      "button",
      "web ui",
      "web app",
      "search results",
      "shop",
      "storefront",
      "online store",
      "checkout",
      "blog",
      "forum",
      "inbox",
      "marketplace",
      "issue tracker",
      "bug tracker",
      "app store",
      "play store",
      // Reference pages read on the web ("find the API docs for Stripe webhooks"); a code verb
      // still edits them ("update the API docs").

      // Documents that live in a web app ("the Figma file", "the Jira ticket").
      "figma file",
      "google doc",
      "google sheet",
      "jira ticket",
      "jira issue",
      "github issue",
      "trello card",
    ]),
    // What a link points to is its target: "add a link to the Grafana dashboard in the README"
    // changes the README.
    ...nouns(["url", "link"]).map((term) => ({ ...term, pointsTo: true })),
    // Places looked through for something: in "the Sentry page for new errors on the worker" the
    // errors are what is looked for.
    ...nouns(["site", "page", "panel", "dashboard", "portal", "console", "board"]).map((term) => ({
      ...term,
      topic: true,
    })),
    ...nouns([
      "api docs",
      "api reference",
      "api documentation",
      "docs page",
      "documentation page",
      "docs site",
      "documentation site",
      "wiki page",
      "help page",
      "help center",
      "faq",
      "man page",
      "reference page",
      "knowledge base",
    ]).map((term) => ({
      ...term,
      topic: true,
    })),
    // "the Shopify admin" is a panel; "the admin role check" qualifies code.
    ...nouns(["staging", "production site", "admin", "listing"], 1),
    // What a site puts in the way: "accept the cookie banner" (a code verb still fixes it).
    ...nouns(["cookie banner", "cookie consent", "cookie popup", "consent banner", "captcha"], 1),
    // Places on the web people name instead of a URL ("on Hacker News", "search Stack
    // Overflow"). In a compound they qualify a code head like any noun ("the GitHub workflow
    // file" is a file).
    ...nouns(WEB_DESTINATIONS).map((term) => ({ ...term, named: true })),
    // What people go to the web for: weak alone, enough with a web verb ("find the cheapest
    // flight", "grab the top headlines"), never more than a code object.
    ...nouns(WEB_INFORMATION, 1),
    ...nouns(WEB_TOPICS, 1).map((term) => ({ ...term, topic: true })),
    // Dummy data entered on a site: "submit a test message" is not a code test (a code verb
    // still outweighs it: "add a test user fixture").
    ...nouns(TEST_ENTRIES, 1),
    // Weightless: they hide "account" ("what's my account balance" is no web task; "on the
    // bank's site" still is).
    ...nouns(PERSONAL_MATTERS, 0),
  ],
  cues: [
    ...WEB_CUES,
    {
      name: "spoken URL",
      // Not the rest of a dotfile's name ("the dot env dot local file") nor a file's variant
      // ("the dockerfile dot dev"), nor a .NET language ("VB dot net").
      pattern: new RegExp(
        `(?<!\\bdot\\s+)\\b(?!(?:the|a|an|in|to|of)\\s)(?!${FILE_STEMS}\\b)(?!(?:vb|asp|ado)\\s+dot\\s+net\\b)[a-z0-9-]+(?:\\s+dot\\s+(?!env\\b)[a-z0-9-]+)*\\s+dot\\s+(?:${TLDS})\\b`,
        "i",
      ),
      requires: ["dot"],
    },
    {
      name: "host name",
      pattern: new RegExp(`\\b(?:www\\.)?[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.(?:${TLDS})\\b`, "i"),
      requires: ["."],
    },
    {
      name: "IP address",
      pattern: new RegExp(
        `\\b${SPOKEN_NUMBER}(?:\\s+dot\\s+${SPOKEN_NUMBER}){3}\\b|\\b\\d{1,3}(?:\\.\\d{1,3}){3}\\b`,
        "i",
      ),
      requiresOne: ["dot", "."],
    },
    { name: "localhost", pattern: /\blocal\s?host\b(?:\s*(?::|port)?\s*\d+)?/i },
    // Transcribers also join the dot: "example dotcom".
    {
      name: "spoken URL, joined",
      pattern: /\b[a-z0-9-]+\s+dot(?:com|org|net|io|dev)\b/i,
      requires: ["dot"],
    },
    {
      name: "on the web",
      // Not "across the web app": there the web qualifies a code thing.
      pattern:
        /\b(?:on|from|across|in) the (?:web|internet)\b(?![\s-]+(?:apps?|pages?|sites?|servers?|ui|views?|workers?|sockets?|components?|clients?|version|interface|console|dashboard|store|portal|frontend|front end|layer|build)\b)|\bonline\b|\b(?:on|via) google\b/i,
    },
    // A package registry named as a place: "how many downloads did it get on npm".
    {
      name: "on a registry",
      pattern: /\b(?:on|from|in|search|browse) (?:npm|pypi|crates|the npm registry)\b/i,
      weight: 2,
    },
    { name: "search the web", pattern: /\bsearch (?:the web|online|google)\b/i },
    // Looking up how to do something is a web search ("search how to write a parser in Rust").
    {
      name: "how-to search",
      pattern:
        /\b(?:(?:search(?: for)?|look up|google|research)\s+how|find out\s+how\s+(?:to|do|does))\b/i,
    },
    // Whether something is so, looked up: "look up if the new version changed the timeout".
    {
      name: "look up whether",
      pattern:
        /(?<=\b(?:look(?:ing)? up|googl(?:e|ing)|search(?:ing)?(?: for)?|research(?:ing)?|check online)\s+)(?:if|whether|what|when|why|which|who|where)\b/i,
      words: ["if", "whether", "what", "when", "why", "which", "who", "where"],
      weight: 2,
    },
    // Wanting to know a fact ("could be useful to know what Canva charges"): weak, like a
    // question.
    {
      name: "wants to know",
      pattern:
        /\b(?:know|learn|find out|wondering|wonder|curious)\s+(?:about\s+)?(?:what|whether|if|how much|how many|when|which)\b/i,
      weight: 1,
    },
    // What a published document says ("what the Material docs say about navigation rails").
    {
      name: "docs say",
      pattern:
        /\b(?:docs|documentation|changelog|release notes|spec|rfc|guide|manual|faq|wiki|site|page)\s+(?:says?|mentions?|recommends?|suggests?|states?)\b/i,
      weight: 2,
    },
    // A named product's published document: "the changelog for Tailwind four" (ours is "our
    // changelog" or "the changelog").
    {
      name: "published docs",
      pattern:
        /\b(?:docs|documentation|changelog|release notes|migration guide|upgrade guide|api reference)\s+(?:for|of|on)\s+(?!(?:the|our|my|this|that|it|its|these|those|a|an|each|every|all|any)\b)[a-z]/i,
      weight: 2,
    },
    // Shopping for a dependency or a tool: "find a library for parsing PDFs".
    {
      name: "looking for a tool",
      pattern:
        /\b(?:find|look for|search for|recommend|suggest)\s+(?:me\s+)?(?:a|an|some|any)\s+(?:(?:good|maintained|popular|lightweight|decent|free|open source)\s+)?(?:library|libraries|package|packages|tool|tools|plugin|plugins|extension|extensions|crate|crates|gem|gems|framework|frameworks|service|services|alternative|alternatives)\b/i,
      weight: 2,
    },
    // When a product came out or goes away: "when did Postgres sixteen come out".
    {
      name: "release question",
      pattern:
        /\bwhen (?:did|does|do|will|is|was|are|were)\b.{1,60}?\b(?:come out|came out|released?|ship(?:ped)?|launch(?:ed)?|go(?:es)? (?:ga|eol)|end of life|eol|deprecated|sunset)\b/i,
      weight: 2,
    },
    // A version by name: "the latest Angular version" (weak: "bump to the latest Angular
    // version" is still code).
    {
      name: "latest version",
      pattern:
        /\b(?:latest|newest|current|most recent)\s+(?:stable\s+)?(?:[a-z0-9.-]+\s+){1,2}(?:version|release|lts)\b/i,
      weight: 1,
    },
    // Whether something is out: "is the conference schedule out yet".
    {
      name: "out yet",
      pattern: /\b(?:out|live|up|available|published|released) yet\b/i,
      weight: 1,
    },
    // A question the web answers ("what's in the latest Deno release notes"): weak, so it only
    // counts beside something looked up on the web ("what's the weather" stays unrouted).
    {
      name: "question",
      pattern:
        /^(?:what(?:'s|s| is| are| was| were)|tell me|how (?:much|many)|(?:has|did|have) (?:anyone|anybody|someone|they|we)|is there|are there|any idea (?:what|when|which|how much|how many|if|whether)|do you know (?:what|when|which|how much|how many|if|whether))\b/i,
      weight: 1,
    },
  ],
};

/** The first URL in a clause, when there is one. */
export function urlFromClause(clause: string): string | undefined {
  return /\bhttps?:\/\/[^\s,;]+/i.exec(clause)?.[0]?.replace(/[.)]+$/, "");
}
