/**
 * @module
 * The coding skill's word lists beyond its core, by category: the parts of a user interface,
 * of a database, of a back end, of infrastructure kept as code, of tests and of a build, and the
 * verbs only code takes. Each list is meant to be whole for its category, so that a sentence
 * naming a part the router has never seen ("the breadcrumb", "the foreign key") still routes;
 * `coding_patterns.ts` weighs them.
 */

/** Things built in code, by where they live. */
export const CODE_OBJECTS = [
  // Parts of a user interface: built in code; on a site ("the banner on the live site") the
  // site wins.
  ...["date picker", "time picker", "color picker", "tooltip", "popover", "spinner"],
  ...["carousel", "accordion", "breadcrumb", "pagination", "paginator", "checkbox"],
  ...["radio button", "toggle", "slider", "progress bar", "avatar", "badge", "banner"],
  ...["icon", "favicon", "navigation bar", "navigation", "nav", "hamburger menu"],
  ...["context menu", "dialog", "drawer", "snackbar", "skeleton", "placeholder"],
  ...["text field", "input field", "textarea", "text area", "combobox", "autocomplete"],
  ...["search bar", "search box", "theme", "color scheme"],
  ...["font", "animation", "transition", "hover state", "focus state", "z index", "margin"],
  ...["padding", "alignment", "spacing", "breakpoint", "media query", "flexbox", "css grid"],
  ...["svg", "div", "span", "html element", "dom element", "onboarding flow", "wizard"],
  ...["stepper", "empty state", "loading state", "error state", "error boundary", "view model"],
  ...["settings screen", "login screen", "signup screen", "sign up screen", "home screen"],
  ...["splash screen", "loading screen", "detail screen", "details screen", "profile screen"],
  ...["checkout screen", "welcome screen", "onboarding screen", "error screen", "main screen"],
  ...["view controller", "storyboard", "style", "styling", "tailwind class", "class name"],
  ...["button style", "aria label", "alt text", "accessibility", "responsive layout"],
  // Pieces of code named for what they do.
  ...["checker", "crawler", "scraper", "scanner", "watcher", "poller", "fetcher", "syncer"],
  ...["migrator", "converter", "renderer", "dispatcher", "processor", "transformer", "mapper"],
  ...["compiler", "test runner", "runner", "downloader", "sender", "mailer", "notifier"],
  ...["factory", "retrier", "throttler", "debouncer", "cache manager", "bot"],
  ...["reporter", "collector", "aggregator", "profiler", "sampler", "batcher", "flusher"],
  ...["writer", "observer", "cleaner", "pruner", "janitor", "reaper", "sweeper", "signer"],
  ...["verifier", "normalizer", "sanitizer", "minifier", "compressor", "interpreter"],
  ...["transpiler", "proxy", "api gateway", "load balancer", "web vitals"],
  // Mobile UI.
  ...["bottom sheet", "action sheet", "sheet component", "pull to refresh", "swipe to delete"],
  ...["infinite scroll", "haptic feedback", "deep link", "push notification", "tab bar"],
  ...["navigation stack", "safe area", "in app browser", "in-app browser", "webview", "web view"],
  ...["custom tab", "filter panel", "side panel", "settings panel", "details panel"],
  ...["info panel", "panel component", "param", "query param", "query string", "tracking param"],
  ...["utm param", "url param", "url parameter", "search param", "code block"],
  ...["driver", "database driver", "db driver"],
  ...["prompt", "rating prompt", "review prompt", "apple sign in", "sign in with apple"],
  ...["google sign in", "sign in with google", "google login", "social login", "sso"],
  ...["single sign on", "oauth login", "magic link", "passkey", "two factor", "2fa", "mfa"],
  ...["navigation rail", "base image", "container image", "image tag", "prefect flow"],
  ...["dagster job", "temporal workflow", "step function", "cloud function", "edge function"],
  ...["session store", "key value store", "data store", "cache store", "checklist", "callout"],
  ...["product tour", "walkthrough", "hero", "hero section", "hero image", "card component"],
  ...["pricing table", "call to action", "cta", "announcement bar", "alert banner", "grid layout"],
  ...["pool", "browser pool", "worker pool", "deep clone", "deep copy", "shallow copy"],
  // More UI parts.
  ...["chip", "pill", "dropzone", "file uploader", "emoji picker", "kebab menu"],
  ...["overflow menu", "floating action button", "bottom nav", "app bar", "toolbar"],
  ...["status bar", "scrollbar", "tree view", "data grid", "datatable", "data table"],
  ...["virtual list", "lightbox", "video player", "audio player", "sparkline"],
  ...["tabs component", "tab component", "menu component", "dropdown menu", "nav menu"],
  ...["side menu", "mega menu", "api route", "express route", "routes file", "route file"],
  ...["routing", "route definition", "route guard", "health route", "catch-all route"],
  // More code constructs and repository pieces.
  ...["property", "attribute", "getter", "setter", "signature", "union type", "type guard"],
  ...["trait", "mixin", "macro", "header file", "cli option", "config option", "submodule"],
  ...["monorepo", "artifact", "binary", "executable", "jar", "crate", "merge conflict"],
  ...["commit message", "codeowners", "pr template", "issue template", "license file"],
  ...["a stack overflow", "stack overflows", "walker", "tree walker", "visitor", "traverser"],
  ...["deserializer", "marshaller", "unmarshaller", "codec", "topic", "sns topic"],
  ...["security group", "subnet", "autoscaling group", "ami", "readiness check"],
  ...["liveness check", "sidecar", "pod disruption budget", "hpa", "rbac", "rbac rule"],
  ...["cluster role", "role binding", "persistent volume claim", "pvc", "argo application"],
  ...["cmakelists", "cmake lists", "conda env", "conda environment", "virtualenv", "venv"],
  ...["turbo config", "suite", "backfill job", "stored proc", "cte", "value object"],
  ...["aggregate root", "event sourcing", "saga", "outbox", "thunk", "hoc"],
  ...["higher order component", "suspense boundary", "rewrite rule", "redirect rule"],
  ...["waf rule", "cron expression", "glob pattern"],
  ...["session cookie", "auth cookie", "cookie flag", "http only", "httponly", "samesite"],
  ...["mobile app", "ios app", "android app", "desktop app", "electron app", "native app"],
  ...["permission system", "permissions", "access control", "acl", "role system", "bucket"],
  ...[
    "s3 bucket",
    "storage bucket",
    "gcs bucket",
    "rate limiting",
    "throttling",
    "tax calculation",
  ],
  ...["password hashing", "hashing", "encryption", "signing key", "csp header", "auth config"],
  // Emails an app sends.
  ...["onboarding email", "welcome email", "transactional email", "confirmation email"],
  ...["password reset email", "reset email", "notification email", "email template", "list view"],
  // Games.
  ...["unity project", "unreal project", "godot project", "game object", "prefab"],
  ...["shader", "sprite", "input system", "collider", "animation controller", "player controller"],
  // Embedded and systems.
  ...["firmware", "watchdog", "bootloader", "interrupt handler", "isr", "register map"],
  ...["device tree", "kernel module", "sensor driver", "uart", "i2c", "spi", "gpio", "pwm"],
  ...["rtos task", "linker script", "makefile target"],
  // Data and databases.
  ...["column", "index", "foreign key", "primary key", "constraint"],
  ...["stored procedure", "seed", "seed data", "fixture", "orm", "entity", "dto"],
  ...["data model", "sql", "connection pool", "cursor", "field"],
  ...["record type", "dataclass", "data class", "struct field", "json schema", "csv export"],
  ...["csv exporter", "importer", "exporter", "etl", "data pipeline"],
  ...["database table", "sql table", "database trigger", "database transaction"],
  ...["database connection", "db connection", "redux store", "vuex store", "app state"],
  ...["global state", "secrets file"],
  // Data engineering and machine learning.
  ...["dbt model", "dbt project", "dag", "airflow dag", "spark job", "pyspark job", "notebook"],
  ...["jupyter notebook", "dataframe", "data frame", "partition", "materialized view", "udf"],
  ...["training script", "training loop", "loss function", "etl job", "etl pipeline"],
  ...["feature store", "embedding", "prompt template", "rich text", "rich text editor"],
  ...["wysiwyg editor", "markdown editor", "code editor", "text editor component"],
  // Back ends and services.
  ...["resolver", "mutation", "payload", "request handler", "status code"],
  ...["retry logic", "backoff", "circuit breaker", "uploader"],
  ...["background job", "consumer", "producer", "listener", "event handler", "subscriber"],
  ...["publisher", "emitter", "socket", "websocket", "auth", "authentication"],
  ...["authorization", "login flow", "oauth flow", "token refresh", "jwt", "cors", "csrf"],
  ...["cookie handling", "caching", "cache key", "cache invalidation", "redis cache"],
  ...["session handling", "metric", "tracing", "telemetry", "health check", "probe"],
  ...["string", "locale", "interceptor", "guard", "decorator"],
  ...["plugin", "binding", "wrapper", "abstraction", "algorithm", "data structure"],
  ...["hash map", "hashmap", "array", "list comprehension"],
  ...["iterator", "closure", "lambda", "goroutine", "mutex", "async"],
  ...["await", "coroutine", "event loop", "state machine", "selector"],
  ...["context provider", "observable", "buffer", "pointer"],
  ...["allocation", "bottleneck", "hot path", "n plus one"],
  // Monitoring and analytics kept as code.
  ...["alert rule", "alerting rule", "recording rule", "rules file", "scrape config", "runbook"],
  ...["slo definition", "monitor definition", "track call", "tracking call", "tracking event"],
  ...["analytics event", "analytics call", "tracking code", "event tracking", "tracking pixel"],
  // Infrastructure kept as code.
  ...["nginx config", "ingress", "kubernetes manifest", "k8s manifest", "pod spec"],
  ...["namespace", "configmap", "config map", "cronjob", "helm values", "values file"],
  ...["ansible playbook", "playbook", "pulumi", "cloudformation", "cloudformation template"],
  ...["kustomize overlay", "overlay", "kustomization", "base manifest", "helm release"],
  ...["compose file", "docker compose", "workflow", "github workflow", "git hook"],
  ...["pre-commit hook", "husky", "lint-staged", "vite config", "webpack config", "babel"],
  ...["rollup", "esbuild", "bundle", "bundler", "build step", "ci step", "ci job"],
  ...["systemd unit", "procfile", "vagrantfile", "gemfile", "requirements file", "lockfile"],
  ...["requirements", "requirements txt", "pyproject", "pipfile", "gemfile lock", "go sum"],
  ...["lock file", "go mod", "cargo toml", "pom", "build gradle", "env variable"],
  // Tests and quality.
  ...["snapshot", "e2e test", "end to end test", "integration test", "mock", "stub", "coverage"],
  ...["test coverage", "assertion", "benchmark", "flaky test", "test case", "test file"],
  ...["type hint", "type annotation", "generic", "typing", "deprecation warning"],
  ...["dead code", "tech debt", "todo", "fixme", "boilerplate", "duplication", "edge case"],
  ...["off by one", "null pointer", "segfault", "infinite loop", "stack overflow error"],
];

/**
 * Words that are code only in context ("the orders table", "a retry around the upload", "the
 * user model"): weak alone, so "book a table" or "upload the video to YouTube" stay where they
 * were.
 */
export const WEAK_CODE_OBJECTS = [
  ...["table", "upload", "retry", "feature", "model", "state", "performance"],
  ...["latency", "memory usage", "thread pool", "lock"],
  ...["dark mode", "light mode"],
  // What an app sends, built from templates in the code ("localise the confirmation emails").
  ...["email", "notification", "message", "wording", "copy text"],
  // Who a user is, for what code shows them ("hidden for logged-in users").
  ...["logged in user", "logged out user", "signed in user", "anonymous user", "guest user"],
  // A page size is a setting, not a web page ("twenty five per page").
  ...["per page", "items per page", "results per page", "rows per page", "page size"],
  ...["call", "function calls"],
  ...["block"],
  // A user flow in the app ("the upgrade flow"): code, or a path to try on a site.
  ...["flow"],
  // Where a link opens is its markup ("open in a new tab").
  ...["new tab", "new window"],
  ...["flag", "option"],
  ...["routes"],
  // Everyday words too ("a chart of my steps", "the timeline for the weekend").
  ...["chart", "timeline", "scene"],
  ...["rule"],
  ...["row", "memory"],
  ...["app"],
  ...["job", "session", "system"],
];

/** Languages and frameworks: a weak sign of code work on their own ("bump React"). */
export const CODE_TECHNOLOGIES = [
  ...["react", "vue", "angular", "svelte", "next js", "nextjs", "nuxt", "remix", "django"],
  ...["flask", "fastapi", "rails", "laravel", "spring boot", "express app", "nestjs"],
  ...["node", "deno", "bun", "python", "rust", "golang", "kotlin", "java", "ruby", "php"],
  ...["elixir", "scala", "haskell", "swift", "tailwind", "bootstrap", "redux", "zustand"],
  ...["jest", "vitest", "mocha", "pytest", "cypress", "playwright", "storybook", "webpack"],
  ...["vite", "graphql", "grpc", "protobuf", "kafka", "rabbitmq", "redis", "postgres"],
  ...["postgresql", "mysql", "sqlite", "mongo", "mongodb", "prisma", "sequelize", "typeorm"],
  ...["sqlalchemy", "kubernetes", "k8s", "docker", "nginx"],
  ...["dbt", "airflow", "spark", "pyspark", "pandas", "numpy", "pytorch", "tensorflow"],
  ...["snowflake", "bigquery", "redshift", "react navigation", "expo", "flutter"],
  // Common libraries and tools, by name.
  ...["moment", "moment js", "date fns", "dayjs", "lodash", "underscore", "axios", "jquery"],
  ...["rxjs", "zod", "yup", "joi", "formik", "react hook form", "d3", "chart js", "three js"],
  ...["socket io", "celery", "sidekiq", "bullmq", "puppeteer", "selenium", "jsdom", "cheerio"],
  ...["nodemailer", "passport", "bcrypt", "dotenv", "winston", "pino", "morgan", "multer"],
  ...["sharp", "swc", "turborepo", "nx", "lerna", "pnpm", "yarn", "npm", "pip", "poetry"],
  ...["cargo", "gradle", "maven", "nomad", "consul", "vault", "istio", "envoy", "traefik"],
  ...["memcached", "dynamodb", "cassandra", "elasticsearch", "opensearch", "clickhouse"],
  ...["md5", "sha1", "argon2", "scrypt", "libsodium", "openssl"],
  ...["debian", "ubuntu", "alpine", "centos", "fedora", "distroless", "argo workflows"],
  ...["prefect", "dagster", "luigi", "temporal", "material ui", "material design", "tailwind css"],
  // Products named after a code object: "the release notes for React Router" are about a
  // library, not our router.
  ...["react router", "vue router", "angular router", "next router", "react query"],
  ...["tanstack query", "react native", "apollo client", "apollo server", "prisma client"],
  ...["aws sdk", "firebase sdk", "stripe sdk", "django rest framework", "spring security"],
];

/**
 * Code's own things that a web service also keeps: in a place of that service they are its ("the
 * old webhook in the Stripe dashboard", "a new repo on GitHub").
 */
export const HOSTED_CODE_OBJECTS = [
  ...["webhook", "repo", "repository", "branch", "pull request", "env var", "service"],
  ...["environment variable"],
];

/**
 * Records a service keeps ("the Typeform submissions"): weightless and no sign of code without the
 * service that keeps them.
 */
export const SERVICE_RECORDS = [
  // Plurals only: the singulars are verbs too ("log into", "run the query", "order a pizza").
  ...["submissions", "results", "subscribers", "survey responses", "form responses", "logs"],
  ...["events", "orders", "tickets", "alerts", "signups", "deploys"],
];

/**
 * Records a service keeps that are also code's own: weak, and a service's when named with it
 * ("fix the keychain issue" is code, "the Sentry issues" are on Sentry).
 */
export const WEAK_SERVICE_RECORDS = ["issue", "response"];

/** Everyday writing and errands: what is written or added is no code ("write a poem about …"). */
export const EVERYDAY_THINGS = [
  ...["poem", "haiku", "limerick", "song", "joke", "essay", "cover letter", "speech"],
  ...["email to", "message to", "text to", "note to", "letter to", "reminder"],
  ...[
    "playlist",
    "shopping list",
    "grocery list",
    "birthday card",
    "thank you note",
    "bucket list",
  ],
];

/**
 * People, not code: "call my manager", "a joke about product managers" (a code object named so,
 * "the session manager", is still code).
 */
export const PEOPLE = [
  ...["my manager", "product manager", "project manager", "engineering manager", "my boss"],
  ...["hiring manager", "account manager", "office manager", "my team lead"],
];

/** Verbs only code takes: they claim a clause on their own ("sanitise the rich text"). */
export const CODE_ONLY_VERBS = [
  ...["paginate", "debounce", "throttle", "sanitize", "sanitise"],
  ...["localize", "localise", "internationalize", "internationalise", "normalize", "normalise"],
  ...["transpile", "minify", "polyfill", "vendor", "squash", "rebase", "cherry-pick"],
  ...["cherry pick", "stub out", "backfill", "hoist", "decouple", "lazy-load", "lazy load"],
  ...["parallelize", "parallelise", "vectorize", "serialize", "deserialize", "instrument"],
  ...["prefetch", "preload", "virtualize", "code-split", "tree-shake"],
  ...["cache"],
];

/** Code verbs acting on a pronoun ("fix it", "speed that up"): a code change to what was named. */
export const PRONOUN_CODE_VERBS = [
  ...[
    "fix it/that/this/them/those",
    "patch it/that/this/them/those",
    "update it/that/this/them/those",
  ],
  ...[
    "rewrite it/that/this/them/those",
    "improve it/that/this/them/those",
    "repair it/that/this/them/those",
  ],
  ...[
    "address it/that/this/them/those",
    "look into it/that/this/them/those",
    "dig into it/that/this/them/those",
  ],
  ...[
    "speed it/that/this/them/those up",
    "clean it/that/this/them/those up",
    "tidy it/that/this/them/those up",
  ],
  ...[
    "wire it/that/this/them/those up",
    "hook it/that/this/them/those up",
    "break it/that/this/them/those up",
  ],
  ...[
    "rip it/that/this/them/those out",
    "sort it/that/this/them/those out",
    "comment it/that/this/them/those out",
  ],
  ...[
    "stub it/that/this/them/those out",
    "strip it/that/this/them/those out",
    "factor it/that/this/them/those out",
  ],
  ...["split it/that/this/them/those out"],
];

/** Verbs that change code: with any object they make a code change. */
export const CODE_VERBS = [
  ...["escape", "validate"],
  ...["batch"],
  ...["bundle", "stub", "seed"],
  ...["roll back", "rollback"],
  ...["stash", "hide", "hidden", "strip", "flatten", "abstract", "generalize"],
  ...["generalise", "unify", "consolidate", "harden", "encrypt", "hash", "compress"],
  ...["reorder", "rearrange", "prune", "trim", "shorten", "unpin", "format", "flesh out"],
  ...["relabel", "restyle", "style", "center", "centre", "align", "indent"],
  ...["prevent", "catch", "throw", "emit"],
  ...["initialize", "initialise", "declare", "define", "override", "overload"],
  ...["reuse", "clean", "fix up"],
  ...["bump up", "lock down", "split out", "pull out"],
  ...["move out", "factor out", "break out", "rip out", "strip out", "swap out", "tear out"],
  ...["plumb", "propagate", "gate", "clamp", "truncate", "encode", "decode", "parse"],
  ...["stringify", "chunk", "shard", "replicate", "backport", "bisect", "fuzz", "assert"],
  ...["tune", "nest", "denormalize", "reword", "secure", "isolate"],
  ...["stream"],
  ...["compute", "calculate"],
];
