/**
 * @module
 * How `deno task datasette` runs Datasette (pure, so tests check the exact command): on the
 * gateway's `traces.sqlite` with the project's metadata (titles, descriptions, canned queries),
 * on loopback only, and what to print when Datasette is not installed.
 */

export interface DatasetteOptions {
  /** The trace database. */
  db: string;
  /** `data/datasette/metadata.json`. */
  metadata: string;
  /** @default 8001 */
  port?: number;
}

export function datasetteArgs(o: DatasetteOptions): string[] {
  return [
    "serve",
    o.db,
    "--metadata",
    o.metadata,
    "--host",
    "127.0.0.1",
    "--port",
    String(o.port ?? 8001),
  ];
}

/** What to do when `datasette` is not on PATH. */
export function installHelp(port = 8001): string {
  return `Datasette is not installed (no 'datasette' on PATH). Install it, then run this again:
  pipx install datasette        # or: python3 -m pip install --user datasette
Then open http://127.0.0.1:${port}/traces and start with the canned queries "Slowest jobs",
"Failures", "Cost per utterance" and "Error rate by skill", then the views job_runs,
utterance_costs and skill_error_rate_hourly.`;
}
