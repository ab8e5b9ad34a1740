/**
 * @module
 * The browser skill's word lists, by category: the sites and web apps people name instead of a
 * URL, what they go to the web for, and dummy entries they make on a site. Each list is meant to
 * be whole for its category (every common CI service, every common SaaS console…), so that a new
 * sentence naming one the router has never seen still routes; `browser_patterns.ts` weighs them.
 * A name that is also an everyday or code word ("render", "linear", "target") is listed only
 * with the noun that makes it a place ("the Linear ticket").
 */

/** Well-known sites and web apps, as they are said (and as transcribers split them). */
export const WEB_DESTINATIONS = [
  // Code hosting, CI/CD and release tooling.
  ...["github", "git hub", "get hub", "gitlab", "bitbucket", "circleci", "circle ci", "travis"],
  ...["jenkins", "buildkite", "teamcity", "team city", "azure devops", "argo cd", "argocd"],
  ...["spinnaker", "octopus deploy", "appveyor", "codecov", "coveralls", "sonarqube"],
  ...["sonarcloud", "snyk", "github actions tab", "github pages", "gitlab pipelines"],
  // Package registries and developer reference sites.
  ...["npmjs", "npm registry", "npm website", "pypi", "crates io", "crates dot io", "docker hub"],
  ...["rubygems", "packagist", "maven central", "nuget", "pkg go dev", "mdn", "readthedocs"],
  ...["read the docs", "devdocs", "w3schools", "caniuse", "can i use", "bundlephobia"],
  ...["stack overflow", "stackoverflow", "hacker news", "dev to", "hashnode", "lobsters"],
  ...["codepen", "codesandbox", "code sandbox", "stackblitz", "replit", "jsfiddle", "leetcode"],
  ...["hackerrank", "kaggle", "hugging face", "huggingface", "google colab", "postman"],
  ...["swagger ui", "regex101", "product hunt"],
  // Cloud and hosting consoles.
  ...["aws", "gcp", "azure", "azure portal", "google cloud console", "cloud console"],
  ...["firebase console", "supabase", "heroku", "vercel", "netlify", "cloudflare", "fly io"],
  ...["fly dot io", "digitalocean", "digital ocean", "linode", "vultr", "hetzner"],
  ...["planetscale", "mongodb atlas", "upstash", "fastly", "route 53", "route fifty three"],
  ...["ec2 console", "s3 console", "iam console", "lambda console", "render dashboard"],
  ...["namecheap", "godaddy", "porkbun", "google domains", "app store connect", "testflight"],
  ...["play console", "google play console", "chrome web store"],
  // Monitoring, analytics and incidents.
  ...["grafana", "kibana", "datadog", "sentry", "pagerduty", "opsgenie", "new relic"],
  ...["honeycomb", "splunk", "loggly", "papertrail", "logrocket", "fullstory", "hotjar"],
  ...["mixpanel", "amplitude", "posthog", "pingdom", "uptime robot", "uptimerobot", "bugsnag"],
  ...["rollbar", "statuspage", "google analytics", "search console", "prometheus", "lighthouse"],
  ...["pagespeed insights", "web page test", "webpagetest"],
  ...["tableau", "tableau server", "looker", "metabase", "power bi", "superset", "mode analytics"],
  // Work, chat and documents.
  ...["jira", "confluence", "trello", "notion", "figma", "miro", "lucidchart", "asana"],
  ...["clickup", "basecamp", "airtable", "smartsheet", "monday dot com", "linear ticket"],
  ...["linear issue", "linear board", "linear project", "linear workspace", "slack", "discord"],
  ...["microsoft teams", "gmail", "outlook", "office 365", "google docs", "google sheets"],
  ...["google slides", "google drive", "dropbox", "onedrive", "sharepoint", "google calendar"],
  ...["calendly", "docusign", "typeform", "google forms", "surveymonkey", "loom", "zapier"],
  // Business and admin web apps.
  ...["shopify", "stripe", "paypal", "salesforce", "hubspot", "zendesk", "intercom", "crm"],
  ...["freshdesk", "pipedrive", "mailchimp", "sendgrid", "mailgun", "postmark", "twilio"],
  ...["okta", "auth0", "quickbooks", "xero", "gusto", "workday", "bamboohr", "expensify"],
  ...["chargebee", "recurly", "gumroad", "squarespace", "wix", "wordpress", "webflow"],
  ...["substack", "contentful", "sanity studio"],
  // Shopping, travel, media and social.
  ...["amazon", "ebay", "etsy", "best buy", "walmart", "newegg", "aliexpress", "craigslist"],
  ...["airbnb", "expedia", "booking dot com", "kayak", "skyscanner", "tripadvisor", "yelp"],
  ...["imdb", "youtube", "wikipedia", "reddit", "twitter", "linkedin", "facebook"],
  ...["instagram", "tiktok", "pinterest", "quora", "mastodon", "bluesky", "twitch"],
  ...["glassdoor", "indeed", "coinbase", "bbc", "cnn", "techcrunch", "the verge"],
  ...["ars technica", "netflix", "spotify", "google maps", "google search", "bing"],
  ...["duckduckgo", "canva", "adobe express", "framer", "hashicorp", "terraform registry"],
  ...["microsoft learn", "apple developer", "android developers", "eventbrite"],
  // Parcel carriers, freight and airlines: tracking pages, schedules, check-in and boarding passes.
  ...["fedex", "dhl", "usps", "royal mail", "canada post", "australia post", "dpd", "hermes"],
  ...["evri", "parcelforce", "ontrac", "purolator", "maersk", "msc shipping", "flexport"],
  ...["british airways", "american airlines", "delta airlines", "united airlines", "lufthansa"],
  ...["ryanair", "easyjet", "air france", "klm", "emirates", "qantas", "air canada", "jetblue"],
  ...["southwest airlines", "alaska airlines", "turkish airlines", "singapore airlines"],
  ...["boarding pass", "tracking page", "tracking number", "flight status", "vessel schedule"],
  ...["meetup dot com", "udemy", "coursera", "egghead", "frontend masters", "pluralsight"],
  // Lists and programs one signs up to on a site.
  ...["newsletter", "mailing list", "waitlist", "wait list", "beta program", "early access"],
  ...["rss feed", "digest email"],
  // Settings pages of a web app ("the GitLab profile settings").
  ...["profile settings", "account settings", "user settings", "billing settings", "app settings"],
  ...["org settings", "organization settings", "team settings", "repo settings", "profile page"],
  ...["repository settings", "project settings", "workspace settings", "security settings"],
  ...["notification settings", "privacy settings", "settings tab", "admin settings"],
  // Design work kept in a web app.
  ...["design file", "figma export", "mockup", "wireframe", "design system site"],
  ...["cloudwatch", "cloudtrail", "secrets manager", "jetbrains", "ssl labs", "canny"],
  // Feature flags, secrets, media and more developer services.
  ...["crashlytics", "firebase crashlytics", "app center", "launchdarkly", "optimizely"],
  ...["statsig", "1password", "one password", "lastpass", "bitwarden", "cloudinary"],
  ...["algolia dashboard", "confluent cloud", "clerk dashboard", "resend dashboard"],
  ...["plaid dashboard", "braze", "klaviyo", "servicenow", "atlassian", "wrike", "youtrack"],
  ...["pivotal tracker", "gitea", "gerrit", "sourcegraph", "codespaces", "gitpod", "rapidapi"],
  ...["npm trends", "shields io", "vimeo", "crunchbase", "trustpilot", "capterra", "levels fyi"],
  ...["infoq", "smashing magazine", "css tricks", "chrome status", "google fonts", "unsplash"],
  ...["font awesome", "dribbble", "behance", "google cloud", "medium article", "medium post"],
  ...["chromatic", "kubecon", "jsconf", "pycon", "reinvent", "google io", "wwdc", "gophercon"],
  ...["drone ci", "travis ci", "akamai", "ovh", "scaleway", "oracle cloud", "ibm cloud"],
  ...["firebase dashboard", "neon console", "cockroach cloud", "redis cloud", "elastic cloud"],
  ...["sumo logic", "lightstep", "dynatrace", "appdynamics", "raygun", "victorops", "coda doc"],
  ...["zeplin", "braintree", "adyen", "square dashboard", "woocommerce", "magento"],
  ...["bigcommerce", "strapi admin", "prismic", "help scout", "heap analytics", "onelogin"],
  ...["jumpcloud", "rippling", "deel", "brex", "quay", "artifactory", "browserstack"],
  ...["sauce labs", "lambdatest", "swaggerhub", "gitbook", "hex pm", "codemagic", "bitrise"],
  ...["expo dashboard", "railway dashboard", "eas dashboard"],
  ...["preview deployment", "preview url", "preview link", "preview environment", "deploy preview"],
  ...["concur", "sap concur", "navan", "adp", "paychex", "greenhouse", "ashby", "lattice"],
  ...["culture amp", "united website", "fedex site", "ups website", "usps site"],
  ...["haveibeenpwned", "have i been pwned", "owasp", "mxtoolbox", "weights and biases", "wandb"],
  ...["hugging face hub", "comet ml", "neptune ai", "mlflow ui", "tensorboard"],
  // Web UIs of infrastructure tools.
  ...["airflow ui", "spark ui", "kafka ui", "temporal ui", "argo ui", "rabbitmq ui", "admin ui"],
  ...["rabbitmq management", "web console", "minio console", "consul ui", "nomad ui"],
  // Filing on an issue tracker ("file an issue", not the file).
  ...["file an issue", "filed an issue", "filing an issue", "open an issue", "opened an issue"],
  ...["raise an issue", "raised an issue", "report a bug", "reported a bug", "bug report"],
];

/** Things looked up on the web rather than in code. */
export const WEB_INFORMATION = [
  ...["price", "pricing", "pricing plan", "cost", "fee", "flight", "hotel", "rating"],
  ...["latest version", "latest stable version", "current version", "newest version"],
  ...["most recent version", "latest release", "release date", "domain", "dns record"],
  ...["dns setting", "outage", "incident", "uptime", "subscription", "membership", "invoice"],
  ...["receipt", "billing", "order status", "tracking number", "shipping status", "preview"],
  ...["train", "recipe", "lyrics", "opening hours", "phone number", "directions"],
  ...["job posting", "job listing", "download link", "download count", "download numbers"],
  ...["star count", "end of life date", "charge", "team plan", "pro plan", "enterprise plan"],
  ...["free tier", "paid plan", "plan pricing", "seat price"],
  ...["lts", "lts release", "release schedule", "roadmap", "end of life"],
  ...["slides", "slide deck", "recording", "transcript"],
  // Secrets are issued and rotated in a provider's console ("rotate the API key in the
  // developer console"); a code object still wins ("add the API key to the env file").
  ...["api key", "api token", "access token", "ssh key", "gpg key", "deploy key", "bot token"],
  ...["personal access token", "signing secret", "client secret", "oauth app", "app password"],
  ...["recovery codes", "backup codes"],
];

/**
 * What is read on the web about something: what follows "on", "about" or "for" is its topic, not
 * something to work on ("a tutorial on web sockets", "the release notes for React Router").
 */
export const WEB_TOPICS = [
  ...["news", "headline", "top story", "review", "release notes", "latest release notes"],
  ...["breaking changes", "migration guide", "upgrade guide", "tutorial", "article", "video"],
  ...["blog post", "conference talk", "webinar", "course", "guide", "comparison"],
  ...["alternatives", "benchmark results", "discussion", "thread", "best practices"],
  ...["cheat sheet", "cheatsheet"],
  ...["keynote", "conference schedule", "paper", "whitepaper", "case study", "answer"],
  ...["license terms", "terms of service", "privacy policy", "installer", "example repo"],
  ...["starter template", "starter kit", "rfc", "w3c spec", "whatwg spec", "ecma spec"],
  ...["tc39 proposal", "cve", "security advisory", "system requirements", "compatibility table"],
  ...["browser support", "salary range", "macos release", "example", "code sample"],
  // Figures read off a dashboard: "pull the error rate for the orders API".
  ...["error rate", "error count", "p99 latency", "p95 latency", "conversion rate", "bounce rate"],
  ...["traffic numbers", "page views", "pageviews", "active users", "signup numbers", "dau", "mau"],
  ...["revenue numbers", "sales numbers", "usage numbers", "build status", "deploy status"],
];

/** Personal matters an assistant, not a site, answers ("what's my account balance"). */
export const PERSONAL_MATTERS = ["account balance", "bank balance", "my balance", "credit score"];

/** "test" qualifying what a person enters on a site. */
export const TEST_ENTRIES = [
  ...["test message", "test account", "test user", "test order", "test email", "test payment"],
  ...["test card", "test purchase", "test booking", "test post", "test comment"],
];
