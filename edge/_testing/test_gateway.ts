/**
 * @module
 * A tiny real HTTP server imitating the two gateway routes the edge uses, for tests and the
 * edge benchmark: `POST /task` (idempotent on `utterance_id`, 202 with jobs, 200
 * `{ unrouted: true, jobs: [] }` when no skill matches, Bearer token check, 415 for a body
 * not declared JSON), `GET /utterances/:id` (jobs that move from queued to a final state after
 * a few polls, with results and usage) and `GET /vocabulary`. It can be stopped and
 * restarted on the same port to play a gateway outage.
 */
import { z } from "zod";
import { FINAL_UTTERANCE_STATUSES } from "@shared/schemas/wire.ts";

/** Options of {@linkcode startTestGateway}. */
export interface TestGatewayOptions {
  /** Required Bearer token, like `GATEWAY_TOKEN`. */
  token?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Texts for which no skill matches (answered 200 `{ unrouted: true, jobs: [] }`). */
  unrouted?: (text: string) => boolean;
  /** The sentence of unrouted answers (`say`); `null` leaves it out, as an older gateway does.
   * @default "I can change code or check a web page; I didn't catch which." */
  unroutedSay?: string | null;
  /** Voice commands: a text answered 200 `{ jobs: [], control }` when this returns one. */
  control?: (text: string) => { action: string; job_ids: string[]; say: string } | undefined;
  /** GETs of an utterance before its jobs are final. @default 2 */
  pollsUntilDone?: number;
  /** Final status of every job. @default "succeeded" */
  finalStatus?: "succeeded" | "failed";
  /** The terms `GET /vocabulary` answers with. @default [] */
  vocabulary?: string[];
}

/** One stored utterance. */
export interface TestUtterance {
  utterance_id: string;
  text: string;
  source: string;
  jobs: { job_id: string; intent: string; status: string }[];
  polls: number;
}

/** A running imitation gateway. */
export interface TestGateway {
  url: string;
  port: number;
  /** Every `POST /task` body received, in order (duplicates included). */
  posts: {
    utterance_id?: string;
    text: string;
    session_id?: string;
    authorization: string | null;
  }[];
  /** Utterances created (one per distinct id). */
  utterances: Map<string, TestUtterance>;
  /** Requests refused for a missing or wrong token. */
  readonly unauthorized: number;
  /** Answers the next `n` POSTs with this status (e.g. 503, 429, 500). */
  failNext(n: number, status: number, retryAfter?: string): void;
  /** Stops listening (the gateway is down) until {@linkcode TestGateway.restart}. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const Body = z.object({
  text: z.string().trim().min(1),
  utterance_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/).optional(),
  source: z.enum(["voice", "api"]).default("api"),
  session_id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/).optional(),
}).strict();

const FINAL = FINAL_UTTERANCE_STATUSES;

/** Starts the imitation gateway on 127.0.0.1. */
export function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const posts: TestGateway["posts"] = [];
  const utterances = new Map<string, TestUtterance>();
  const failures: { status: number; retryAfter?: string }[] = [];
  let jobCounter = 0;
  let unauthorized = 0;
  let server: Deno.HttpServer<Deno.NetAddr> | null = null;

  function intentsOf(text: string): string[] {
    // "and"/"then" split a request into clauses, one job each, like the real router.
    return text.split(/\b(?:and then|then|and)\b/i).map((c) => c.trim()).filter(Boolean)
      .map((c) => /dashboard|browser|open|check/i.test(c) ? "browser" : "coding");
  }

  async function handler(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const auth = req.headers.get("authorization");
    if (options.token && auth !== `Bearer ${options.token}`) {
      unauthorized++;
      return Response.json({ error: "unauthorized" }, { status: 401 });
    }
    if (req.method === "POST" && url.pathname === "/task") {
      // As the gateway: a body not declared JSON is refused (it would be a cross-site form).
      const type = req.headers.get("content-type") ?? "";
      if (!/^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i.test(type)) {
        return Response.json({
          error: "unsupported_media_type",
          message: "POST /task takes a JSON body in UTF-8: add -H 'content-type: application/json'",
        }, { status: 415 });
      }
      let raw: unknown;
      try {
        raw = await req.json();
      } catch {
        return Response.json({ error: "bad_json" }, { status: 400 });
      }
      const parsed = Body.safeParse(raw);
      posts.push({
        ...(raw as { text: string; utterance_id?: string }),
        authorization: auth,
      });
      const failure = failures.shift();
      if (failure) {
        const headers: Record<string, string> = {};
        if (failure.retryAfter) headers["retry-after"] = failure.retryAfter;
        return Response.json({ error: "unavailable" }, { status: failure.status, headers });
      }
      if (!parsed.success) {
        return Response.json({ error: "validation", issues: parsed.error.issues }, { status: 422 });
      }
      const body = parsed.data;
      const id = body.utterance_id ?? `utt_${crypto.randomUUID()}`;
      const existing = utterances.get(id);
      const unroutedAnswer = (duplicate: boolean) =>
        Response.json({
          utterance_id: id,
          jobs: [],
          unrouted: true,
          duplicate,
          message: "No skill matched this request; nothing was queued",
          ...(options.unroutedSay === null ? {} : {
            say: options.unroutedSay ??
              "I can change code or check a web page; I didn't catch which.",
          }),
        }, { status: 200 });
      if (existing) {
        if (existing.jobs.length === 0) return unroutedAnswer(true);
        return Response.json({ utterance_id: id, jobs: existing.jobs }, { status: 202 });
      }
      const control = options.control?.(body.text);
      if (control) return Response.json({ utterance_id: id, jobs: [], control }, { status: 200 });
      if (options.unrouted?.(body.text)) {
        utterances.set(id, {
          utterance_id: id,
          text: body.text,
          source: body.source,
          jobs: [],
          polls: 0,
        });
        return unroutedAnswer(false);
      }
      const jobs = intentsOf(body.text).map((intent) => ({
        job_id: `job_${++jobCounter}`,
        intent,
        status: "queued",
      }));
      utterances.set(id, {
        utterance_id: id,
        text: body.text,
        source: body.source,
        jobs,
        polls: 0,
      });
      return Response.json({ utterance_id: id, jobs }, { status: 202 });
    }
    if (req.method === "GET" && url.pathname === "/vocabulary") {
      return Response.json({ terms: options.vocabulary ?? [] });
    }
    const m = url.pathname.match(/^\/utterances\/([^/]+)$/);
    if (req.method === "GET" && m) {
      const u = utterances.get(decodeURIComponent(m[1]!));
      if (!u) return Response.json({ error: "not_found" }, { status: 404 });
      u.polls++;
      const done = u.polls > (options.pollsUntilDone ?? 2);
      const final = options.finalStatus ?? "succeeded";
      const jobs = u.jobs.map((j, i) => {
        const status = done ? final : u.polls > 1 ? "running" : "queued";
        const usage = {
          provider: "standin",
          model: j.intent === "coding" ? "claude-standin" : "gemini-standin",
          input_tokens: 100 * (i + 1),
          output_tokens: 20,
          cost_usd: 0.001 * (i + 1),
        };
        return {
          ...j,
          status,
          ...(done && final === "succeeded"
            ? { result: { summary: `${j.intent} done for: ${u.text}` }, usage }
            : {}),
          ...(done && final === "failed" ? { error: { message: "worker crashed" }, usage } : {}),
        };
      });
      const status = jobs.length === 0 ? "unrouted" : done ? final : "running";
      const usage = done
        ? {
          provider: "mixed",
          model: "mixed",
          input_tokens: jobs.reduce((n, j) => n + (j.usage?.input_tokens ?? 0), 0),
          output_tokens: jobs.reduce((n, j) => n + (j.usage?.output_tokens ?? 0), 0),
          cost_usd: jobs.reduce((n, j) => n + (j.usage?.cost_usd ?? 0), 0),
        }
        : undefined;
      return Response.json({
        utterance_id: u.utterance_id,
        text: u.text,
        status: FINAL.has(status) ? status : "running",
        jobs,
        usage,
      });
    }
    return Response.json({ error: "not_found" }, { status: 404 });
  }

  let port = options.port ?? 0;
  const listen = () => {
    server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, handler);
    port = server.addr.port;
  };
  listen();
  return Promise.resolve({
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    posts,
    utterances,
    get unauthorized() {
      return unauthorized;
    },
    failNext(n, status, retryAfter) {
      for (let i = 0; i < n; i++) {
        failures.push(retryAfter === undefined ? { status } : { status, retryAfter });
      }
    },
    async stop() {
      const s = server;
      server = null;
      await s?.shutdown();
    },
    restart() {
      if (!server) listen();
      return Promise.resolve();
    },
    async close() {
      const s = server;
      server = null;
      await s?.shutdown();
    },
  });
}
