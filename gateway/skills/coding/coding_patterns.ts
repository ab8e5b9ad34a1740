/**
 * @module
 * How the router recognises a coding request: what it acts on (files, functions, components,
 * config, tests, README...), file names as they are spoken ("app ts", "package dot json"), and
 * the verbs that change code ("refactor", "update", "bump", "split", "make it faster by
 * caching"). A clause goes here when its head object is code, even if it names a web thing
 * ("the settings page component").
 */
import type { SkillPattern } from "../../skill_kit/skill.ts";
import { nouns, type SkillLexicon, verbs } from "../../skill_kit/lexicon.ts";
import { CODE_CUES } from "./code_cues.ts";
import {
  CODE_OBJECTS,
  CODE_ONLY_VERBS,
  CODE_TECHNOLOGIES,
  CODE_VERBS,
  EVERYDAY_THINGS,
  HOSTED_CODE_OBJECTS,
  PEOPLE,
  PRONOUN_CODE_VERBS,
  SERVICE_RECORDS,
  WEAK_CODE_OBJECTS,
  WEAK_SERVICE_RECORDS,
} from "./code_vocabulary.ts";

/** Plain patterns beside the lexicon (none: the lexicon says it all). */
export const CODING_PATTERNS: readonly SkillPattern[] = [];

/** Extensions after "dot" or ".": "main dot go", "utils.py". */
const EXTENSIONS =
  "ts|tsx|js|jsx|mjs|cjs|json|jsonc|py|rs|go|rb|java|kt|swift|c|h|cpp|cs|php|html|css|scss|" +
  "yaml|yml|toml|md|sh|sql|lock|txt|env|ini|xml|vue|svelte|jason|conf|tf|prisma|graphql|proto|gradle|" +
  "mod|sum|kts|lua|dart|ex|exs|erl|hs|clj|scala|sbt|pl|ps1|bat|cfg|properties|plist|csproj|sln|" +
  "mdx|ipynb|hcl|tfvars|bicep|nix|zig|zsh|bash|fish|j2|jinja|hbs|ejs|pug|erb|liquid|less|sass|" +
  "styl|pyi|cts|mts|astro|njk|snap|patch|gemspec|podspec|cmake|mk|dockerfile|r|jl";
/** Numbers as said in a version ("one point thirty four"). */
const NUMBER_WORD =
  "zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|" +
  "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety";
/** Extensions said after a bare space ("app ts", "package json"): only unmistakable ones. */
const SPOKEN_EXTENSIONS = "ts|tsx|js|jsx|json|py|html|yaml|yml|toml|md|rs";

export const CODING_LEXICON: SkillLexicon = {
  // Editing code can change anything a page shows ("fix the broken link").
  verbsReachAnyObject: true,
  strongVerbs: verbs([
    "refactor",
    "debug",
    "implement",
    "lint",
    "typecheck",
    "type-check",
    "compile",
    "memoize",
    "memoise",
    "deduplicate",
    "dedupe",
    "reformat",
    "optimize",
    "optimise",
    "commit",
    "unit-test",
    // Only code is changed so: "simplify it", "revert the change to the retry policy".
    "simplify",
    "inline",
    "rework",
    "restructure",
    "revert",
    "deprecate",
  ]).concat(
    // Only code (and its versions) is renamed or bumped so, even when what is named is unknown
    // ("rename the boolean flags", "bump the minimum node version"); a web object still wins.
    verbs(["rename", "bump"], 2),
    verbs(CODE_ONLY_VERBS),
    // A code change to what was just named ("the pricing page is broken on Safari, can you fix
    // it"): the pronoun stands for the thing, so the verb alone says code.
    verbs(PRONOUN_CODE_VERBS),
  ),
  verbs: verbs([
    "fix",
    "patch",
    "update",
    "edit",
    "modify",
    "change",
    "tweak",
    "adjust",
    "delete",
    "remove",
    "drop",
    "get rid",
    "convert",
    "split",
    "break up",
    "migrate",
    "port",
    "upgrade",
    "downgrade",
    "pin",
    "document",
    "comment out",
    "add",
    "create",
    "write",
    "generate",
    "introduce",
    "move",
    "replace",
    "swap",
    "extract",
    "clean up",
    "tidy up",
    "rewrite",
    "reorganize",
    "reorganise",
    "merge",
    "speed up",
    "wire up",
    "hook up",
    "install",
    "uninstall",
    "sort",
    "annotate",
    "touch",
    "ignore",
    "skip",
    "integrate",
    "wrap",
    "expose",
    "hardcode",
    "parameterize",
    "parametrize",
    "scaffold",
    "configure",
    "enable",
    "disable",
    "look into",
    "profile",
    "investigate",
    "tighten",
    "apply",
    "containerize",
    "mock",
    "dig into",
    "lower",
    "raise",
    "increase",
    "decrease",
    "reduce",
  ]).concat(
    verbs(CODE_VERBS),
    // Generic help ("handle the renewal page"): weak, a code object has to carry it.
    verbs(["handle", "take care of", "deal with", "sort out"], 1),
  ),
  objects: nouns([
    "code",
    "codebase",
    "source",
    "source code",
    "file",
    "folder",
    "directory",
    "function",
    "method",
    "class",
    "interface",
    "type",
    "enum",
    "struct",
    "variable",
    "constant",
    "module",
    "package",
    "library",
    "dependency",
    "component",
    "hook",
    "template",
    "stylesheet",
    "css",
    "markup",
    "config",
    "configuration",
    "settings file",
    "migration",
    "schema",
    "import",
    "export statement",
    "test",
    "unit test",
    "test suite",
    "spec",
    "readme",
    "changelog",
    "docs folder",
    "docstring",
    "comment",
    "ci",
    "pipeline config",
    "workflow file",
    "build script",
    "script",
    "dockerfile",
    "makefile",
    "endpoint",
    "handler",
    "route handler",
    "controller",
    "middleware",
    "parser",
    "lexer",
    "tokenizer",
    "decoder",
    "encoder",
    "serializer",
    "router",
    "orchestrator",
    "scheduler",
    "helper",
    "util",
    "utility",
    "callback",
    "promise",
    "loop",
    "logic",
    "error handling",
    "logging",
    "logger",
    "loader",
    "client",
    "bug",
    "typo",
    "lint error",
    "type error",
    "stack trace",
    "regression",
    "diff",
    "annotation",
    "definition",
    "generator",
    "argument parser",
    "validator",
    "worker",
    "cli",
    "command line",
    "reducer",
    "adapter",
    "manifest",
    "layout",
    "snippet",
    "feature flag",
    "null check",
    "console log",
    "print statement",
    "log statement",
    "error message",
    "cron job",
    "query",
    "typescript",
    "javascript",
    "tsconfig",
    "api",
    "manager",
    "queue",
    "database",
    "i18n",
    "internationalization",
    "translation",
    // Infrastructure kept as code.
    "helm chart",
    "terraform",
    "terraform module",
    "policy",
    "docker image",
    "container",
    "liveness probe",
    "readiness probe",
    "widget",
    "picker",
    "layer",
    "warning",
    "linter",
    "eslint",
    "prettier",
    "formatter",
    "sdk",
    "client library",
    "env example",
    "env file",
    "validation",
    "debounce",
    "toast",
    "local storage",
    "session storage",
    "builder",
    "rate limiter",
    "limiter",
    "rate limit",
    "timeout",
    // Defects are fixed in code.
    "memory leak",
    "leak",
    "race condition",
    "deadlock",
    // Parts of a UI are built in code; on a site ("the footer on the live site") the site wins.
    "footer",
    "header",
    "navbar",
    "nav bar",
    "sidebar",
    "modal",
    "dropdown",
    "backend",
    "frontend",
    "server",
    "markdown",
    "contributing guide",
    "style guide",
    // Code constructs named by their syntax.
    "try catch",
    "try block",
    "catch block",
    "if statement",
    "switch statement",
    "conditional",
    "regex",
    "regular expression",
    "constructor",
    "parameter",
    "argument",
    "prop",
    "return type",
    "return value",
    "function call",
    "method call",
    "api call",
    "fetch call",
  ]).concat(
    // Documentation lives in the repository or on a website: a weak sign on its own.
    // A vendor's docs are on the vendor's site ("the HashiCorp docs").
    nouns(["docs", "documentation"], 1).map((term) => ({ ...term, topic: true, hostedBy: true })),
    // "across the project": the code as a whole, or a project page on a site (weak alone).
    nouns(["project"], 1),
    // An app's screen is built in code; a site's page is looked at.
    nouns(["screen", "limit"], 1),
    // An error is fixed in code, or read where a service shows it ("the latest Sentry errors").
    nouns(["error"], 1).map((term) => ({ ...term, hostedBy: true })),
    nouns(CODE_OBJECTS),
    // Records a service keeps: named with a site they are that site's ("the Vercel build").
    nouns(HOSTED_CODE_OBJECTS).map((term) => ({ ...term, hostedBy: true })),
    // One GitHub action is code; "GitHub Actions" is the service.
    [{ name: "github action", pattern: /\bgithub action\b(?!s)/i, prefix: "github" }],
    nouns(["build", "deployment", "exception", "crash"]).map((term) => ({
      ...term,
      hostedBy: true,
    })),
    // Records that only say something beside a service ("the Typeform submissions", "the
    // Stripe events"): weightless alone.
    nouns(SERVICE_RECORDS, 0).map((term) => ({ ...term, hostedBy: true })),
    nouns(WEAK_SERVICE_RECORDS, 1).map((term) => ({ ...term, hostedBy: true })),
    nouns(WEAK_CODE_OBJECTS, 1),
    // A language or framework alone says nothing ("the React docs" are read on the web), but
    // it is something a code verb acts on ("migrate to Postgres", "rewrite it in Rust").
    nouns(CODE_TECHNOLOGIES, 0),
    // Weightless, so that they hide the code word inside them ("my manager").
    nouns(PEOPLE, 0).map((term) => ({ ...term, inert: true })),
    nouns(EVERYDAY_THINGS, 0).map((term) => ({ ...term, inert: true, topic: true })),
  ),
  cues: [
    ...CODE_CUES,
    {
      name: "file name",
      pattern: new RegExp(
        `\\b[\\w-]+(?:(?:\\s+dot\\s+|\\.)(?:${EXTENSIONS})|\\s+(?:${SPOKEN_EXTENSIONS}))\\b`,
        "i",
      ),
      requiresOne: ["dot", ".", ...SPOKEN_EXTENSIONS.split("|")],
    },
    { name: "rc file", pattern: /\b(?:eslintrc|prettierrc|babelrc|npmrc|nvmrc)\b/i },
    // Transcribers split some names: "the read me", "type script".
    {
      name: "split name",
      pattern: /\b(?:(?:the|a|our|my|this|in|to)\s+read\s+me\b|type\s+script|java\s+script)/i,
    },
    {
      name: "dotfile",
      pattern:
        /\b(?:dot\s*|\.)(?:env|gitignore|nvmrc|npmrc|editorconfig|eslintrc|prettierrc|babelrc|dockerignore)\b/i,
      requiresOne: ["dot", "."],
    },
    // A file's variant: "the dockerfile dot dev", "compose dot prod".
    {
      name: "file variant",
      pattern:
        /\b(?:dockerfile|makefile|procfile|jenkinsfile|gemfile|vagrantfile|compose|docker-compose|tsconfig)\s+dot\s+[a-z]+\b/i,
    },
    // Making something behave a way is a code change: "make the footer links open in a new tab"
    // (but "make sure the page loads" is a check). Only "make" is the cue: the nouns still count.
    {
      name: "make it behave",
      pattern:
        /\bmake(?=\s+(?:the|our|all|every|each|this|that|these|those)\s+(?:[\w'-]+\s+){1,4}?(?:open|close|show|hide|load|work|use|return|stay|stick|wrap|fit|scroll|link|point|redirect|accept|support|include|ignore|skip|fail|retry|respect|handle|render|display|appear|behave|autosave|save|persist|export|validate|remember|sync|sort|remove|surface|log|emit|warn|reject)s?\b)/i,
      weight: 2,
    },
    // A dependency pinned or moved to a version ("pin boto3 to one point thirty four"): weak, so
    // it needs a code verb beside it.
    {
      name: "version number",
      pattern: new RegExp(
        `\\b(?:to|at|from|on)\\s+(?:[a-z]+\\s+)?(?:version\\s+|v)?(?:\\d+(?:\\.\\d+)+|(?:${NUMBER_WORD}|\\d+)\\s+point\\s+(?:${NUMBER_WORD}|\\d+))\\b`,
        "i",
      ),
      weight: 1,
    },
    // An app's screen named by what it shows ("the order history screen"); not a device's.
    // A wish about how the product behaves ("it'd be cool if the admin console let you
    // export…"), not a request to the assistant ("…if you could log into…").
    {
      name: "feature wish",
      pattern:
        /\b(?:(?:it'?d|it would|would(?:n'?t it)?|that'?d|that would) be (?:great|nice|cool|good|awesome|helpful|useful|better|ideal|neat|sweet) if|i'?d love (?:it )?if|i would love (?:it )?if|i wish|if only|i was thinking(?: that)?(?=\s+(?:the|our|it|we)\b)|(?:it'?d|it would) make sense to|we could (?:really |definitely |totally )?use|(?:that|this|it) needs to (?:change|go|be (?:fixed|changed|cleaned up|rewritten|refactored)))\b(?!\s+you\b)/i,
      weight: 2,
    },
    // How something ought to behave: "the search results ought to be sorted by relevance".
    {
      name: "should behave",
      pattern:
        /\b(?:should|ought to|needs to|has to|must)\s+(?:(?:really|probably|also|always|never|not)\s+)?(?:be\s+)?(?:sorted|cached|validated|sanitized|sanitised|escaped|encrypted|hashed|paginated|localized|localised|logged|retried|debounced|throttled|memoized|configurable|optional|hidden|disabled|enabled|deduplicated|lazy loaded|compressed|minified|idempotent|case insensitive|rate limited)\b/i,
      weight: 2,
    },
    // How the app behaves for its users: "prefetch … when the user gets near the bottom".
    {
      name: "user behaviour",
      pattern:
        /\b(?:when|whenever|once|after|before|if|until|so that|where)\s+(?:the |a |our |new |logged[- ]in )?(?:users?|customers?|visitors?)\b/i,
      weight: 2,
    },
    // A question about how we do things is about our code: weak, so it needs a code word beside
    // it ("why do we have two user tables"; "how do we get to the office" stays unrouted).
    {
      name: "our way",
      pattern:
        /^(?:(?:how|where|why|when|what) (?:do|does|did|are|is|were) (?:we|our)|(?:do|does|did) (?:we|our|anything|anyone) (?:still )?)\b/i,
      weight: 1,
    },
    {
      name: "app screen",
      pattern:
        /\b(?:the|this|that|our|a|an|each|every)\s+(?!(?:home|lock|phone|whole|full|big|laptop|tv|computer|my|entire)\b)[a-z]+(?:\s+[a-z]+)?\s+screens?\b/i,
      weight: 2,
    },
    {
      name: "make faster/smaller",
      pattern:
        /\bmake\b.{1,60}?\b(?:faster|quicker|smaller|cleaner|simpler|safer|configurable|optional|async|generic|reusable|testable|idempotent|thread[- ]safe|type[- ]safe|nullable|required|private|public|static|lazy|responsive|accessible|sortable|searchable|resizable|collapsible|dismissible|editable|clickable)\b/i,
      weight: 2,
    },
  ],
};
