/**
 * @module
 * Trace rows in a libSQL database: a plain SQLite file by default (`data/traces.sqlite`, which
 * Datasette and Python's sqlite3 open while the gateway writes, thanks to WAL mode), or a
 * remote sqld/Turso with a `libsql://` or `http://` URL.
 */
import { type Client, createClient } from "@libsql/client";
import { TraceEvent } from "@shared/schemas/mod.ts";
import type { TraceFilter, TraceSink } from "./tracer.ts";
import { jsonArrays } from "./json_arrays.ts";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS traces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    utterance_id TEXT,
    job_id TEXT,
    source TEXT NOT NULL,
    event TEXT NOT NULL,
    duration_ms REAL,
    provider TEXT,
    model TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cost_usd REAL,
    usage TEXT,
    data TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS traces_ts ON traces (ts)`,
  // Partial: most rows have no job (every request's `http.request`, every `utterance.routed`)
  // or no utterance, and a row left out of an index costs SQLite that index's insert (about a
  // sixth less per row in the HTTP path's mix). `job_id = ?` implies `job_id IS NOT NULL`, so
  // the lookups by id and the views' joins still use them.
  `CREATE INDEX IF NOT EXISTS traces_job ON traces (job_id) WHERE job_id IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS traces_utterance ON traces (utterance_id)
    WHERE utterance_id IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS traces_event ON traces (event)`,
  // The full indexes of files written before.
  `DROP INDEX IF EXISTS traces_job_id`,
  `DROP INDEX IF EXISTS traces_utterance_id`,
];

/** Views for exploring in Datasette (see `data/datasette/metadata.json`). */
export const VIEWS = [
  `CREATE VIEW IF NOT EXISTS job_runs AS
    SELECT job_id, utterance_id,
      json_extract(data, '$.intent') AS intent,
      replace(event, 'job.', '') AS outcome,
      ts AS finished_at,
      duration_ms,
      json_extract(data, '$.attempts') AS attempts,
      provider, model, input_tokens, output_tokens, cost_usd,
      json_extract(usage, '$.cache_read_input_tokens') AS cache_read_input_tokens,
      json_extract(data, '$.error_code') AS error_code
    FROM traces
    WHERE event IN ('job.succeeded', 'job.failed', 'job.dead', 'job.cancelled')`,
  // A job's cost and tokens are its running total over every attempt, and a job retried by
  // hand ends more than once: count each job once, at its latest end.
  // A job with tokens and no cost ran on an unpriced model: the utterance's cost is then
  // unknown (NULL), not the priced part.
  `CREATE VIEW IF NOT EXISTS utterance_costs AS
    SELECT utterance_id, count(*) AS jobs,
      sum(outcome = 'succeeded') AS succeeded,
      sum(input_tokens IS NOT NULL AND cost_usd IS NULL) AS unpriced_jobs,
      CASE WHEN sum(input_tokens IS NOT NULL AND cost_usd IS NULL) > 0 THEN NULL
        ELSE round(sum(coalesce(cost_usd, 0)), 6) END AS cost_usd,
      sum(coalesce(input_tokens, 0)) AS input_tokens,
      sum(coalesce(output_tokens, 0)) AS output_tokens,
      min(finished_at) AS first_finished, max(finished_at) AS last_finished
    FROM job_runs r
    WHERE finished_at = (SELECT max(finished_at) FROM job_runs l WHERE l.job_id = r.job_id)
    GROUP BY utterance_id`,
  `CREATE VIEW IF NOT EXISTS skill_error_rate_hourly AS
    SELECT substr(finished_at, 1, 13) || ':00' AS hour, intent,
      count(*) AS jobs,
      sum(outcome != 'succeeded') AS not_succeeded,
      round(1.0 * sum(outcome != 'succeeded') / count(*), 4) AS error_rate
    FROM job_runs GROUP BY hour, intent`,
];

/** The insert's source: each event of the JSON array bound to it, in array order. */
const EVENTS_IN_ORDER = "FROM (SELECT value AS b FROM json_each(?) ORDER BY key)";

/**
 * Rows of `traces` from a JSON array of events, in array order. The fourteen lookups read each
 * event's text: SQLite keeps the parse of a recently used JSON text, so the text is parsed once,
 * and converting every event to JSONB first cost more than it saved (about 4 % more per row in
 * alternating runs of the same 40,000 events).
 */
const INSERT_JSON = `INSERT INTO traces (ts, trace_id, utterance_id, job_id, source, event,
    duration_ms, provider, model, input_tokens, output_tokens, cost_usd, usage, data)
  SELECT json_extract(b, '$.ts'), json_extract(b, '$.trace_id'),
    json_extract(b, '$.utterance_id'), json_extract(b, '$.job_id'),
    json_extract(b, '$.source'), json_extract(b, '$.event'),
    json_extract(b, '$.duration_ms'), json_extract(b, '$.usage.provider'),
    json_extract(b, '$.usage.model'), json_extract(b, '$.usage.input_tokens'),
    json_extract(b, '$.usage.output_tokens'),
    coalesce(json_extract(b, '$.cost_usd'), json_extract(b, '$.usage.cost_usd')),
    json_extract(b, '$.usage'), json_extract(b, '$.data')
  ${EVENTS_IN_ORDER}`;

/**
 * The same rows from an array in which no event has usage or a cost (most of them: every request's
 * `http.request`, every routing and queue event): the six lookups of those columns, each a walk of
 * the event's keys that finds nothing, are left out and the columns stay NULL. In alternating
 * runs of the sink on 60,000 of a loaded gateway's events, rows were stored faster in 17 of 22
 * pairs (median time ratio 0.90).
 */
const INSERT_PLAIN_JSON = `INSERT INTO traces (ts, trace_id, utterance_id, job_id, source, event,
    duration_ms, data)
  SELECT json_extract(b, '$.ts'), json_extract(b, '$.trace_id'),
    json_extract(b, '$.utterance_id'), json_extract(b, '$.job_id'),
    json_extract(b, '$.source'), json_extract(b, '$.event'),
    json_extract(b, '$.duration_ms'), json_extract(b, '$.data')
  ${EVENTS_IN_ORDER}`;

/**
 * Whether an array of events may hold usage or a cost: any event with either key has the key's
 * name in quotes in its JSON text. The test can say yes wrongly (the word as a value, or a key
 * deeper down), which only costs the full insert; it never says no to a key that is there.
 */
export function mayHoldUsage(array: string): boolean {
  return array.includes('"usage"') || array.includes('"cost_usd"');
}

export interface LibsqlSinkOptions {
  /** `file:data/traces.sqlite`, `:memory:`, `libsql://...` or `http://...`. */
  url: string;
  authToken?: string;
}

export class LibsqlTraceSink implements TraceSink {
  readonly name = "libsql";
  readonly #client: Client;
  readonly #ready: Promise<void>;

  constructor(options: LibsqlSinkOptions) {
    this.#client = createClient({
      url: options.url,
      ...(options.authToken ? { authToken: options.authToken } : {}),
    });
    this.#ready = this.#init(options.url);
  }

  async #init(url: string): Promise<void> {
    if (url.startsWith("file:")) {
      // First, so that every statement after it waits for a lock instead of failing: gateways
      // and workers sharing a data folder open the same file at once, and switching it to WAL
      // takes a lock that another opener may hold.
      await this.#client.execute("PRAGMA busy_timeout=5000");
      // WAL lets readers (Datasette, sqlite3) in while the gateway writes.
      await this.#client.execute("PRAGMA journal_mode=WAL");
      // Traces are a record, not the store of truth (the queue's commit is): a WAL file synced
      // at checkpoints, not at every commit, stays consistent and costs far less.
      await this.#client.execute("PRAGMA synchronous=NORMAL");
      // A checkpoint copies every page the WAL changed into the database, and the last page of
      // each index changes in every batch: checkpointing every 4,000 pages (16 MB of WAL) rather
      // than SQLite's 1,000 copies those pages a quarter as often. Rows cost about a sixth less
      // (15.4 → 12.8 µs per row over 100,000 trace events, five alternating runs).
      await this.#client.execute("PRAGMA wal_autocheckpoint=4000");
    }
    // Views are recreated, so that a file written by an older gateway gets today's definitions.
    const drops = VIEWS.map((v) => `DROP VIEW IF EXISTS ${/VIEW IF NOT EXISTS (\w+)/.exec(v)![1]}`);
    await this.#client.batch([...SCHEMA, ...drops, ...VIEWS], "write");
  }

  write(events: readonly TraceEvent[]): Promise<void> {
    return this.writeLines(events.map((e) => JSON.stringify(e)));
  }

  /**
   * Stores events given as their JSON text, in one transaction. SQLite unpacks them itself
   * (`json_each`), one statement per few hundred rows: preparing and running a statement per
   * row cost far more than the rows.
   */
  async writeLines(lines: readonly string[]): Promise<void> {
    await this.writeJsonArrays(jsonArrays(lines));
  }

  /** Stores events given as JSON arrays of them (see `json_arrays.ts`), in one transaction. */
  async writeJsonArrays(arrays: readonly string[]): Promise<void> {
    await this.#ready;
    const statements = arrays.map((array) => ({
      sql: mayHoldUsage(array) ? INSERT_JSON : INSERT_PLAIN_JSON,
      args: [array],
    }));
    if (statements.length > 0) await this.#client.batch(statements, "write");
  }

  async query(filter: TraceFilter): Promise<TraceEvent[]> {
    await this.#ready;
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.job_id) (where.push("job_id = ?"), args.push(filter.job_id));
    if (filter.utterance_id) (where.push("utterance_id = ?"), args.push(filter.utterance_id));
    if (filter.since) (where.push("ts >= ?"), args.push(filter.since));
    if (filter.event) (where.push("event = ?"), args.push(filter.event));
    args.push(filter.limit ?? 100);
    const rs = await this.#client.execute({
      sql: `SELECT * FROM (SELECT * FROM traces ${
        where.length ? "WHERE " + where.join(" AND ") : ""
      } ORDER BY id DESC LIMIT ?) ORDER BY id ASC`,
      args,
    });
    return rs.rows.map((row) => {
      const e: Record<string, unknown> = {
        ts: row.ts,
        trace_id: row.trace_id,
        source: row.source,
        event: row.event,
      };
      if (row.utterance_id !== null) e.utterance_id = row.utterance_id;
      if (row.job_id !== null) e.job_id = row.job_id;
      if (row.duration_ms !== null) e.duration_ms = Number(row.duration_ms);
      if (row.usage !== null) e.usage = JSON.parse(String(row.usage));
      if (row.cost_usd !== null) e.cost_usd = Number(row.cost_usd);
      if (row.data !== null) e.data = JSON.parse(String(row.data));
      return TraceEvent.parse(e);
    });
  }

  async ping(): Promise<void> {
    await this.#ready;
    await this.#client.execute("SELECT 1");
  }

  close(): Promise<void> {
    this.#client.close();
    return Promise.resolve();
  }
}
