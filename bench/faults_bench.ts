/**
 * @module
 * Fault runs at load with real processes, each in its own folder, each ending with a count of
 * lost and duplicated utterances and jobs:
 *
 * - kv: steady `POST /task` load, the gateway SIGKILLed halfway and restarted on its data;
 * - redis: the same load on `--queue redis` (a gateway and a worker), redis-server (append-only
 *   file, fsync always) SIGKILLed halfway and restarted on its data;
 * - edge: the real edge playing speech against the Realtime stand-in and a real gateway, the
 *   WebSocket dropped again and again; the gateway stopped and restarted during speech; the
 *   edge SIGKILLed with undelivered utterances in its outbox and started again.
 *
 * Loss and duplication come from records kept apart from the gateway's counters: the client's
 * own list of utterances and the job ids each answer named (it retries every failed POST with
 * the same utterance_id, the product's idempotency contract), the gateway's trace files
 * (`utterance.routed`, `job.enqueued` and each job's end), the job store read back through
 * `GET /jobs`, and for the edge the sentences known to be in the audio it played.
 *
 * Environment: `FAULTS_ONLY=kv,redis,edge` picks scenarios, `FAULTS_RATE` (default 200 req/s)
 * and `FAULTS_SECONDS` (default 20) shape the HTTP load.
 */
import { emit } from "./report.ts";
import {
  type DenoProcess,
  freePort,
  GATEWAY_PERMISSIONS,
  gatewayArgs,
  liveProcesses,
  spawnDeno,
} from "./_process.ts";
import { FINAL_JOB_STATUSES } from "../shared/schemas/wire.ts";
import { shippedPermissions } from "../shared/task_permissions.ts";
import { readLines } from "../shared/io/lines.ts";
import { type RedisServer, startRedisServer } from "../shared/testing/redis_server.ts";
import {
  fixtureScript,
  loadFixtures,
  type RealtimeStandIn,
  startRealtimeStandIn,
} from "../shared/standins/openai_realtime/mod.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** `deno task edge`'s own permissions (the gateway's come with `gatewayArgs`). */
const EDGE_PERMISSIONS = await shippedPermissions("edge");
const SPEECH = `${ROOT}shared/standins/openai_realtime/fixtures/two_requests.wav`;
/**
 * What the stand-in hears in the two sentences of {@linkcode SPEECH}: echo requests, so that
 * every utterance also makes a job the gateway runs to its end.
 */
const SENTENCES = [
  "Echo summarize the open pull requests.",
  "Echo check the build status of the main branch.",
];
const ONLY = Deno.env.get("FAULTS_ONLY")?.split(",").map((s) => s.trim());
const RATE = Number(Deno.env.get("FAULTS_RATE") ?? 200);
const SECONDS = Number(Deno.env.get("FAULTS_SECONDS") ?? 20);
/** How long each echo job of the HTTP load takes. */
const JOB_MS = 50;
/** Lease of a job without heartbeat: how long a dead process's running jobs wait. */
const LEASE_MS = 3000;
const FINAL = FINAL_JOB_STATUSES;
const ENDS = /"event":"job\.(succeeded|failed|dead|cancelled)"/;
const BENCH = "faults";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 10) / 100;

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked (`liveProcesses`) so that a failing scenario still leaves
// nothing running.

type Proc = DenoProcess;

function gateway(dir: string, port: number, extra: string[] = []): Promise<Proc> {
  return spawnDeno(gatewayArgs(dir, port, extra), { ready: "listening" });
}

// ---------------------------------------------------------------------------------------------
// The client: steady POST /task load, each utterance retried with its id until accepted.

interface Utterance {
  id: string;
  /** Date.now() of the first attempt. */
  firstAt: number;
  acceptedAt?: number;
  attempts: number;
  /** Job ids named by the first 202; a later answer naming others is a duplicate. */
  jobs?: string[];
  /** Answers whose job ids differed from the first. */
  conflicts: number;
}

interface ClientRecord {
  utterances: Map<string, Utterance>;
  attempts: number;
  networkErrors: number;
  statuses: Map<number, number>;
  /** Date.now() of the first failed attempt, and of the first 202 received after it. */
  firstFailAt?: number;
  recoveredAt?: number;
  /** Requests per second actually issued (first attempts). */
  issuedRps: number;
}

/**
 * Posts `rate` new utterances a second for `seconds`, each retried (100 ms doubling to 1 s,
 * with jitter) with the same utterance_id until a 202 or `giveUpMs` after its first attempt.
 */
async function steadyLoad(
  url: string,
  options: { prefix: string; rate: number; seconds: number; delayMs: number; giveUpMs: number },
): Promise<ClientRecord> {
  const record: ClientRecord = {
    utterances: new Map(),
    attempts: 0,
    networkErrors: 0,
    statuses: new Map(),
    issuedRps: 0,
  };
  const deliver = async (u: Utterance) => {
    const body = JSON.stringify({
      tasks: [{ intent: "echo", instruction: u.id, params: { delay_ms: options.delayMs } }],
      utterance_id: u.id,
      source: "voice",
    });
    for (let backoff = 100; Date.now() - u.firstAt < options.giveUpMs; backoff *= 2) {
      u.attempts++;
      record.attempts++;
      let status = 0;
      try {
        const res = await fetch(`${url}/task`, {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        record.statuses.set(status, (record.statuses.get(status) ?? 0) + 1);
        if (status === 202) {
          const reply: { jobs: { job_id: string }[] } = await res.json();
          const jobs = reply.jobs.map((j) => j.job_id);
          if (!u.jobs) u.jobs = jobs;
          else if (jobs.join() !== u.jobs.join()) u.conflicts++;
          u.acceptedAt = Date.now();
          if (record.firstFailAt !== undefined && record.recoveredAt === undefined) {
            record.recoveredAt = u.acceptedAt;
          }
          return;
        }
        await res.body?.cancel();
      } catch {
        record.networkErrors++;
      }
      record.firstFailAt ??= Date.now();
      const wait = Math.min(backoff, 1000);
      await sleep(wait / 2 + Math.random() * wait / 2);
    }
  };
  const started = performance.now();
  const pending: Promise<void>[] = [];
  const total = Math.round(options.rate * options.seconds);
  for (let n = 0; n < total; n++) {
    const wait = started + (n / options.rate) * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    const u: Utterance = {
      id: `${options.prefix}-${n}`,
      firstAt: Date.now(),
      attempts: 0,
      conflicts: 0,
    };
    record.utterances.set(u.id, u);
    pending.push(deliver(u));
  }
  record.issuedRps = total / ((performance.now() - started) / 1000);
  await Promise.all(pending);
  return record;
}

// ---------------------------------------------------------------------------------------------
// Evidence from the gateway: trace files and the job store.

interface TraceRecord {
  /** utterance_id → how often it was recorded as new (routed or unrouted). */
  utterances: Map<string, number>;
  /** utterance texts recorded as new, per utterance_id. */
  texts: Map<string, string>;
  enqueued: Set<string>;
  /** job_id → end events, and the time of the last one. */
  ends: Map<string, { count: number; at: number; status: string }>;
}

/** Reads every `*traces.jsonl` file in `dir`. */
async function readTraces(dir: string): Promise<TraceRecord> {
  const out: TraceRecord = {
    utterances: new Map(),
    texts: new Map(),
    enqueued: new Set(),
    ends: new Map(),
  };
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith("traces.jsonl")) continue;
    const file = await Deno.open(`${dir}/${entry.name}`);
    for await (const line of readLines(file.readable)) {
      if (line.includes('"utterance.routed"') || line.includes('"utterance.unrouted"')) {
        const ev = JSON.parse(line);
        out.utterances.set(ev.utterance_id, (out.utterances.get(ev.utterance_id) ?? 0) + 1);
        out.texts.set(ev.utterance_id, String(ev.data?.text ?? ""));
      } else if (line.includes('"job.enqueued"')) out.enqueued.add(JSON.parse(line).job_id);
      else {
        const end = ENDS.exec(line);
        if (!end) continue;
        const ev = JSON.parse(line);
        const seen = out.ends.get(ev.job_id);
        out.ends.set(ev.job_id, {
          count: (seen?.count ?? 0) + 1,
          at: Date.parse(ev.ts),
          status: end[1]!,
        });
      }
    }
  }
  return out;
}

interface StoredJob {
  job_id: string;
  utterance_id: string;
  status: string;
  attempts: number;
  finished_at?: string;
}

/** Every job in the store, through `GET /jobs` and its cursor. */
async function listJobs(url: string): Promise<StoredJob[]> {
  const jobs: StoredJob[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(`${url}/jobs?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
    if (!res.ok) throw new Error(`GET /jobs answered ${res.status}: ${await res.text()}`);
    const page: { jobs: StoredJob[]; next_cursor: string | null } = await res.json();
    jobs.push(...page.jobs);
    cursor = page.next_cursor;
  } while (cursor);
  return jobs;
}

function queueDepth(metrics: string, state?: string): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith("orchestrator_queue_depth")) continue;
    if (state && !line.includes(`state="${state}"`)) continue;
    total += Number(line.split(" ").pop());
  }
  return total;
}

/** Jobs queued and running now, as words for a note. */
async function depthNote(url: string): Promise<string> {
  const metrics = await fetch(`${url}/metrics`).then((r) => r.text()).catch(() => "");
  return metrics
    ? `${queueDepth(metrics, "queued")} jobs queued and ${
      queueDepth(metrics, "running")
    } running at the fault`
    : "queue depth at the fault unknown";
}

/** Waits until the queue holds nothing queued or running, then reads the store. */
async function drain(url: string, timeoutMs: number): Promise<{ jobs: StoredJob[]; ms: number }> {
  const started = Date.now();
  let jobs: StoredJob[] = [];
  while (Date.now() - started < timeoutMs) {
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text()).catch(() => "");
    if (metrics && queueDepth(metrics) === 0) {
      jobs = await listJobs(url);
      if (jobs.every((j) => FINAL.has(j.status))) break;
    }
    await sleep(250);
  }
  if (jobs.length === 0) jobs = await listJobs(url);
  return { jobs, ms: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------
// Judging an HTTP scenario.

interface Verdict {
  lost: number;
  duplicated: number;
  lostNotes: string;
  duplicatedNotes: string;
  /** Date.now() when the last job of an utterance caught by the outage ended. */
  backlogDoneAt: number;
  failed: number;
}

function judge(client: ClientRecord, traces: TraceRecord, store: StoredJob[]): Verdict {
  const stored = new Map(store.map((j) => [j.job_id, j]));
  const perUtterance = new Map<string, number>();
  for (const j of store) {
    perUtterance.set(j.utterance_id, (perUtterance.get(j.utterance_id) ?? 0) + 1);
  }

  // Lost: an utterance never accepted; an accepted job the store does not hold, or that never
  // reached a final state; a job traced as enqueued that neither ended nor is final.
  let neverAccepted = 0;
  let missingInStore = 0;
  const accepted = new Set<string>();
  for (const u of client.utterances.values()) {
    if (!u.jobs) {
      neverAccepted++;
      continue;
    }
    for (const id of u.jobs) {
      accepted.add(id);
      if (!stored.has(id)) missingInStore++;
    }
  }
  const unfinished = new Set<string>();
  for (const id of new Set([...accepted, ...traces.enqueued])) {
    const job = stored.get(id);
    if (!traces.ends.has(id) && !(job && FINAL.has(job.status))) unfinished.add(id);
  }
  // Jobs final in the store whose end never reached the trace file (its last batch before a
  // SIGKILL): not lost, but reported so the trace evidence is read with that in mind.
  const untracedEnds =
    [...accepted].filter((id) => !traces.ends.has(id) && FINAL.has(stored.get(id)?.status ?? ""))
      .length;
  const unknownToClient = store.filter((j) => !accepted.has(j.job_id)).length;

  // Duplicated: an utterance whose answers named different jobs, that holds more than one job
  // in the store (each carries one task), or that was recorded as new twice; a job that ended
  // twice.
  const dupUtterances = new Set<string>();
  for (const u of client.utterances.values()) if (u.conflicts > 0) dupUtterances.add(u.id);
  const clientConflicts = dupUtterances.size;
  for (const [id, n] of perUtterance) if (n > 1) dupUtterances.add(id);
  for (const [id, n] of traces.utterances) if (n > 1) dupUtterances.add(id);
  const endedTwice = [...traces.ends.values()].filter((e) => e.count > 1).length;

  let backlogDoneAt = 0;
  for (const u of client.utterances.values()) {
    if (u.attempts < 2 || !u.jobs) continue;
    for (const id of u.jobs) {
      const at = traces.ends.get(id)?.at ?? Date.parse(stored.get(id)?.finished_at ?? "");
      if (Number.isFinite(at)) backlogDoneAt = Math.max(backlogDoneAt, at);
    }
  }
  const ended = new Set([
    ...traces.ends.keys(),
    ...store.filter((j) => FINAL.has(j.status)).map((j) => j.job_id),
  ]);
  const failed = store.filter((j) => FINAL.has(j.status) && j.status !== "succeeded").length;
  return {
    lost: neverAccepted + missingInStore + unfinished.size,
    duplicated: dupUtterances.size + endedTwice,
    lostNotes:
      `${client.utterances.size} utterances sent, ${
        client.utterances.size - neverAccepted
      } accepted (${neverAccepted} never); ${accepted.size} jobs accepted, ${traces.enqueued.size} ` +
      `job.enqueued traced, ${store.length} in the store, ${ended.size} ended ` +
      `(${failed} failed or dead); ${missingInStore} accepted but not stored, ${unfinished.size} ` +
      `never ended; ${untracedEnds} ends only in the store (trace batch cut off by the kill), ` +
      `${unknownToClient} stored jobs no answer named`,
    duplicatedNotes: `${clientConflicts} utterances answered with two job sets, ${
      [...perUtterance.values()].filter((n) => n > 1).length
    } holding two jobs in the store, ${
      [...traces.utterances.values()].filter((n) => n > 1).length
    } traced as new twice; ${endedTwice} jobs ended twice in the traces; ${
      store.filter((j) => j.attempts > 1).length
    } jobs took a second attempt (their lease lapsed in the fault) and ended once`,
    backlogDoneAt,
    failed,
  };
}

function clientNotes(c: ClientRecord): string {
  const statuses = [...c.statuses.entries()].sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`).join(", ");
  return `${c.attempts} POSTs for ${c.utterances.size} utterances: ${
    c.attempts - c.utterances.size
  } retries; ${c.networkErrors} connection errors; statuses ${statuses}`;
}

function emitHttp(
  scenario: string,
  c: ClientRecord,
  v: Verdict,
  times: { faultAt: number; restartAt: number; readyAt: number; drainMs: number },
  extra: string,
) {
  emit({
    bench: BENCH,
    name: `${scenario}: utterances and jobs lost`,
    value: v.lost,
    unit: "items",
    goal: "0",
    met: v.lost === 0,
    notes: v.lostNotes,
  });
  emit({
    bench: BENCH,
    name: `${scenario}: utterances and jobs duplicated`,
    value: v.duplicated,
    unit: "items",
    goal: "0",
    met: v.duplicated === 0,
    notes: v.duplicatedNotes,
  });
  emit({
    bench: BENCH,
    name: `${scenario}: client retries (same utterance_id)`,
    value: c.attempts - c.utterances.size,
    unit: "requests",
    notes: `${clientNotes(c)}; ${Math.round(c.issuedRps)} new utterances/s issued; ${extra}`,
  });
  const outage = c.firstFailAt !== undefined && c.recoveredAt !== undefined
    ? c.recoveredAt - c.firstFailAt
    : NaN;
  emit({
    bench: BENCH,
    name: `${scenario}: outage seen by the client`,
    value: seconds(outage),
    unit: "s",
    notes: `first failed POST to the first 202 after it; the fault came ${
      seconds(times.restartAt - times.faultAt)
    } s before the restart, which answered ${seconds(times.readyAt - times.restartAt)} s later`,
  });
  emit({
    bench: BENCH,
    name: `${scenario}: recovery, restart → outage backlog done`,
    value: seconds(v.backlogDoneAt - times.restartAt),
    unit: "s",
    notes: `until the last job of the utterances that needed a retry ended (trace time); ` +
      `queue drained ${seconds(times.drainMs)} s after the load stopped; lease ${LEASE_MS} ms`,
  });
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

async function kvScenario(dir: string): Promise<void> {
  const port = freePort();
  const flags = ["--queue", "kv", "--lease-ms", String(LEASE_MS), "--concurrency", "32"];
  let gw = await gateway(dir, port, flags);
  const url = `http://127.0.0.1:${port}`;
  const times = { faultAt: 0, restartAt: 0, readyAt: 0, drainMs: 0 };
  let depthAtKill = "";
  const fault = (async () => {
    await sleep((SECONDS * 1000) / 2);
    depthAtKill = await depthNote(url);
    times.faultAt = Date.now();
    await gw.stop("SIGKILL");
    times.restartAt = Date.now();
    gw = await gateway(dir, port, flags);
    times.readyAt = Date.now();
  })();
  const client = await steadyLoad(url, {
    prefix: "kv",
    rate: RATE,
    seconds: SECONDS,
    delayMs: JOB_MS,
    giveUpMs: 60_000,
  });
  await fault;
  const drained = await drain(url, 60_000);
  times.drainMs = drained.ms;
  await gw.stop();
  const traces = await readTraces(`${dir}/logs`);
  emitHttp(
    "kv, gateway SIGKILLed under load",
    client,
    judge(client, traces, drained.jobs),
    times,
    `${depthAtKill}; ${RATE} req/s for ${SECONDS} s, echo jobs of ${JOB_MS} ms, 32 at once`,
  );
}

async function redisScenario(dir: string): Promise<void> {
  const redis: RedisServer = await startRedisServer({ durable: true });
  cleanups.push(() => redis.stop());
  const port = freePort();
  const common = [
    "--queue",
    "redis",
    "--redis-url",
    redis.url,
    "--lease-ms",
    String(LEASE_MS),
    "--concurrency",
    "16",
  ];
  const gw = await gateway(dir, port, common);
  const worker = await spawnDeno([
    "run",
    ...GATEWAY_PERMISSIONS,
    `${ROOT}gateway/worker_main.ts`,
    "--data-dir",
    `${dir}/data`,
    "--logs-dir",
    `${dir}/logs`,
    "--log-level",
    "warning",
    ...common,
  ], { ready: "worker_started" });
  const url = `http://127.0.0.1:${port}`;
  const times = { faultAt: 0, restartAt: 0, readyAt: 0, drainMs: 0 };
  const OUTAGE_MS = 3000;
  let depthAtKill = "";
  const fault = (async () => {
    await sleep((SECONDS * 1000) / 2);
    depthAtKill = await depthNote(url);
    times.faultAt = Date.now();
    await redis.kill();
    await sleep(OUTAGE_MS);
    times.restartAt = Date.now();
    await redis.restart();
    times.readyAt = Date.now();
  })();
  const client = await steadyLoad(url, {
    prefix: "redis",
    rate: RATE,
    seconds: SECONDS,
    delayMs: JOB_MS,
    giveUpMs: 60_000,
  });
  await fault;
  const drained = await drain(url, 60_000);
  times.drainMs = drained.ms;
  await worker.stop();
  await gw.stop();
  const traces = await readTraces(`${dir}/logs`);
  const statuses500 = [...client.statuses.keys()].filter((s) => s >= 500 && s !== 503);
  emitHttp(
    "redis, redis-server SIGKILLed under load",
    client,
    judge(client, traces, drained.jobs),
    times,
    `${depthAtKill}; redis down ${OUTAGE_MS / 1000} s (append-only, fsync always); a gateway ` +
      `and a worker, 16 jobs at once each; ${RATE} req/s for ${SECONDS} s, echo jobs of ` +
      `${JOB_MS} ms; ` +
      (statuses500.length ? `unexpected statuses ${statuses500.join(", ")}` : "no 5xx but 503"),
  );
}

/** `copies` times the two-sentence fixture, a second of silence after each. */
async function speechFile(dir: string, copies: number): Promise<string> {
  const padded = `${dir}/padded.wav`;
  const out = `${dir}/speech-${copies}.wav`;
  await sox([SPEECH, padded, "pad", "0", "1"]);
  await sox([...Array(copies).fill(padded), out]);
  return out;
}

async function sox(args: string[]): Promise<void> {
  const out = await new Deno.Command("sox", { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`sox ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * The Realtime stand-in, hearing the fixtures' sentences by the length of their sound. It runs
 * in this process so that faults can be armed while the edge (its own process) speaks.
 */
async function standin(dir: string): Promise<RealtimeStandIn> {
  const fixtures = `${dir}/fixtures`;
  await Deno.mkdir(fixtures);
  await Deno.copyFile(SPEECH, `${fixtures}/speech.wav`);
  await Deno.writeTextFile(`${fixtures}/speech.txt`, SENTENCES.join("\n") + "\n");
  const rt = await startRealtimeStandIn({ script: fixtureScript(await loadFixtures(fixtures)) });
  cleanups.push(() => rt.close());
  return rt;
}

function edge(dir: string, realtimeUrl: string, gatewayUrl: string, input: string, pace: boolean) {
  return spawnDeno(
    [
      "run",
      ...EDGE_PERMISSIONS,
      `${ROOT}edge/main.ts`,
      "--input",
      input,
      ...(pace ? [] : ["--no-pace"]),
      "--no-follow",
      "--gateway",
      gatewayUrl,
      "--data-dir",
      `${dir}/edge`,
      "--logs-dir",
      `${dir}/edgelogs`,
    ],
    { env: { OPENAI_REALTIME_URL: realtimeUrl, OPENAI_API_KEY: "" } },
  );
}

/** Edge trace events by name: how many, and the utterance ids they name. */
async function edgeEvents(dir: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let text = "";
  try {
    text = await Deno.readTextFile(`${dir}/edgelogs/windows-edge-traces.jsonl`);
  } catch { /* nothing traced */ }
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    const ev = JSON.parse(line);
    const list = out.get(ev.event) ?? [];
    list.push(String(ev.utterance_id ?? ""));
    out.set(ev.event, list);
  }
  return out;
}

/**
 * Compares what the gateway recorded as new utterances with the sentences in the audio
 * (`copies` of each) and with the utterances the edge put in its outbox.
 */
async function edgeVerdict(dir: string, copies: number) {
  const traces = await readTraces(`${dir}/logs`);
  const events = await edgeEvents(dir);
  const expected = SENTENCES.length * copies;
  const byText = new Map<string, number>();
  for (const text of traces.texts.values()) byText.set(text, (byText.get(text) ?? 0) + 1);
  let missing = 0;
  let extra = 0;
  for (const s of SENTENCES) {
    const n = byText.get(s) ?? 0;
    missing += Math.max(0, copies - n);
    extra += Math.max(0, n - copies);
  }
  const strange = [...byText.keys()].filter((t) => !SENTENCES.includes(t));
  const outboxed = new Set(events.get("outbox.enqueued") ?? []);
  const undelivered = [...outboxed].filter((id) => !traces.utterances.has(id)).length;
  const twice = [...traces.utterances.values()].filter((n) => n > 1).length;
  const once = [...traces.utterances.values()].filter((n) => n === 1).length;
  const jobsUnended = [...traces.enqueued].filter((id) => !traces.ends.has(id)).length;
  const jobsTwice = [...traces.ends.values()].filter((e) => e.count > 1).length;
  const lost = missing + undelivered + jobsUnended;
  const duplicated = extra + twice + jobsTwice + strange.reduce((n, t) => n + byText.get(t)!, 0);
  return {
    expected,
    once,
    lost,
    duplicated,
    events,
    notes: `${expected} utterances spoken, ${traces.utterances.size} recorded by the gateway ` +
      `(${once} exactly once, ${twice} twice), ${outboxed.size} traced as put in the edge's ` +
      `outbox (${undelivered} of them never delivered); by text ${missing} missing, ${extra} extra` +
      (strange.length ? `, ${strange.length} unexpected texts` : "") +
      `; ${traces.enqueued.size} jobs enqueued, ${jobsUnended} never ended, ${jobsTwice} ended twice`,
  };
}

function emitEdge(
  scenario: string,
  v: Awaited<ReturnType<typeof edgeVerdict>>,
  extra: string,
  failure?: string,
) {
  const ok = failure === undefined && v.lost + v.duplicated === 0 && v.once === v.expected;
  emit({
    bench: BENCH,
    name: `${scenario}: utterances delivered exactly once`,
    value: v.once,
    unit: `of ${v.expected}`,
    goal: `${v.expected}`,
    met: failure === undefined && v.once === v.expected,
    notes: `${v.notes}; ${extra}${failure ? `; FAILED: ${failure}` : ""}`,
  });
  emit({
    bench: BENCH,
    name: `${scenario}: utterances and jobs lost or duplicated`,
    value: v.lost + v.duplicated,
    unit: "items",
    goal: "0",
    met: ok,
    notes: `${v.lost} lost, ${v.duplicated} duplicated`,
  });
}

/** The edge's exit code and, when it is not 0, the end of its stderr. */
async function finish(p: Proc, timeoutMs: number): Promise<string | undefined> {
  const timer = setTimeout(() => p.stop("SIGKILL"), timeoutMs);
  const code = await p.wait();
  clearTimeout(timer);
  return code === 0 ? undefined : `edge exit ${code}: ${p.stderrTail().slice(-300)}`;
}

/** Waits until the stand-in has seen more than `n` connections; false if `alive()` ends first. */
async function connectionsAbove(
  rt: RealtimeStandIn,
  n: number,
  alive: () => boolean,
): Promise<boolean> {
  while (rt.stats.connections <= n) {
    if (!alive()) return false;
    await sleep(20);
  }
  return true;
}

async function edgeDropsScenario(dir: string): Promise<void> {
  const copies = 3;
  const input = await speechFile(dir, copies);
  const rt = await standin(dir);
  const gw = await gateway(dir, freePort(), ["--queue", "kv", "--skills", "echo"]);
  const url = String(gw.info.url);
  const started = Date.now();
  const e = await edge(dir, rt.url, url, input, true);
  let running = true;
  const exited = e.wait().finally(() => running = false);
  // Rounds of two drops: one mid-utterance (after a few appends), one after a commit and
  // before its transcript. Between rounds the connection lives 6 s: the edge gives up on a
  // provider whose connections keep dying young, which a blip is not.
  let drops = 0;
  const dropper = (async () => {
    while (running) {
      for (
        const fault of [{ type: "drop", afterAppends: 5 }, { type: "drop_after_commit" }] as const
      ) {
        const before = rt.stats.connections;
        rt.inject(fault);
        if (!(await connectionsAbove(rt, before, () => running))) return;
        drops++;
      }
      await sleep(6000);
    }
  })();
  const timer = setTimeout(() => e.stop("SIGKILL"), 90_000);
  const code = await exited;
  clearTimeout(timer);
  running = false;
  await dropper;
  const failure = code === 0 ? undefined : `edge exit ${code}: ${e.stderrTail().slice(-300)}`;
  const took = Date.now() - started;
  await drain(url, 30_000);
  await gw.stop();
  const v = await edgeVerdict(dir, copies);
  const reconnects = v.events.get("realtime.reconnect")?.length ?? 0;
  emitEdge(
    "edge, realtime WebSocket dropped during speech",
    v,
    `${drops} drops (mid-utterance and after a commit, in rounds of two 6 s apart), ` +
      `${rt.stats.connections} connections, ${reconnects} reconnects traced by the edge; ` +
      `${copies * 8} s of speech played in real time, the edge done in ${seconds(took)} s`,
    failure,
  );
}

async function edgeGatewayStopScenario(dir: string): Promise<void> {
  const copies = 3;
  const input = await speechFile(dir, copies);
  const rt = await standin(dir);
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const flags = ["--queue", "kv", "--skills", "echo"];
  let gw = await gateway(dir, port, flags);
  const e = await edge(dir, rt.url, url, input, true);
  // Stop while the second sentence is spoken, come back two utterances later.
  await sleep(5000);
  const stoppedAt = Date.now();
  await gw.stop();
  await sleep(6000);
  const restartAt = Date.now();
  gw = await gateway(dir, port, flags);
  const failure = await finish(e, 60_000);
  const done = Date.now();
  await drain(url, 30_000);
  await gw.stop();
  const v = await edgeVerdict(dir, copies);
  const retries = v.events.get("outbox.retry")?.length ?? 0;
  emitEdge(
    "edge, gateway stopped during speech",
    v,
    `speech played in real time (${copies * 8} s); gateway stopped (SIGTERM) for ` +
      `${seconds(restartAt - stoppedAt)} s, ${retries} outbox retries, the edge finished ` +
      `${seconds(done - restartAt)} s after the restart`,
    failure,
  );
}

async function edgeKilledScenario(dir: string): Promise<void> {
  const copies = 3;
  const input = await speechFile(dir, copies);
  const rt = await standin(dir);
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  // No gateway yet: every utterance stays in the outbox until the edge is killed.
  const first = await edge(dir, rt.url, url, input, false);
  const want = SENTENCES.length * copies;
  let files = 0;
  for (let i = 0; i < 300 && files < want; i++) {
    await sleep(100);
    files = 0;
    try {
      for await (const e of Deno.readDir(`${dir}/edge/outbox`)) {
        if (e.isFile && e.name.endsWith(".json")) files++;
      }
    } catch { /* not created yet */ }
  }
  await first.stop("SIGKILL");
  const gw = await gateway(dir, port, ["--queue", "kv", "--skills", "echo"]);
  const silence = `${dir}/silence.wav`;
  await sox(["-n", "-r", "16000", "-c", "1", "-b", "16", silence, "trim", "0", "1"]);
  const restartAt = Date.now();
  const second = await edge(dir, rt.url, url, silence, false);
  const failure = await finish(second, 60_000);
  const took = Date.now() - restartAt;
  let left = 0;
  for await (const e of Deno.readDir(`${dir}/edge/outbox`)) {
    if (e.isFile && e.name.endsWith(".json")) left++;
  }
  await drain(url, 30_000);
  await gw.stop();
  const v = await edgeVerdict(dir, copies);
  emitEdge(
    "edge, SIGKILLed with a full outbox",
    v,
    `${files} utterances waiting in the outbox at the kill; the restarted edge delivered them ` +
      `and exited in ${seconds(took)} s; ${left} left in the outbox`,
    failure,
  );
}

// ---------------------------------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
const scenarios: [string, (dir: string) => Promise<void>][] = [
  ["kv", kvScenario],
  ["redis", redisScenario],
  ["edge-drops", edgeDropsScenario],
  ["edge-gateway-stop", edgeGatewayStopScenario],
  ["edge-killed", edgeKilledScenario],
];
let failed = false;
for (const [name, run] of scenarios) {
  if (ONLY && !ONLY.some((o) => name.startsWith(o))) continue;
  const dir = await Deno.makeTempDir({ prefix: `faults-${name}-` });
  const started = performance.now();
  console.error(`faults: ${name} in ${dir}`);
  try {
    await run(dir);
  } catch (err) {
    failed = true;
    console.error(`faults: ${name} failed: ${err instanceof Error ? err.stack : err}`);
    emit({
      bench: BENCH,
      name: `${name}: run`,
      value: 0,
      unit: "completed",
      goal: "1",
      met: false,
      notes: `the scenario stopped: ${
        String(err instanceof Error ? err.message : err).slice(0, 300)
      }`,
    });
  } finally {
    for (const p of [...liveProcesses]) await p.stop("SIGKILL");
    for (const c of cleanups.splice(0)) await c().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    console.error(`faults: ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
if (failed) Deno.exit(1);
