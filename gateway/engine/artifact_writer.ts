/**
 * @module
 * Where a job's artifacts go: `<dataDir>/artifacts/<job_id>/<name>`, text redacted like every
 * other output (a model that quotes a key must not put it on disk or behind `/artifacts`). A
 * name written twice keeps its last content and one entry.
 */
import { join } from "node:path";
import { redactText } from "@shared/logging/redact.ts";
import type { Artifact } from "@shared/schemas/mod.ts";

/** An artifact as a worker sends it: text, or bytes in base64. */
export interface ArtifactMessage {
  name: string;
  text?: string | undefined;
  base64?: string | undefined;
}

export class ArtifactWriter {
  readonly #dir: string;
  readonly #jobId: string;
  readonly #artifacts: Artifact[] = [];

  constructor(dataDir: string, jobId: string) {
    this.#dir = join(dataDir, "artifacts", jobId);
    this.#jobId = jobId;
  }

  /** What has been recorded, in first-written order. */
  get artifacts(): Artifact[] {
    return this.#artifacts;
  }

  /**
   * Records the artifact at once and returns the write to run: the caller orders it with the
   * job's other store writes.
   */
  record(msg: ArtifactMessage): () => Promise<void> {
    const path = join(this.#dir, msg.name);
    const data = msg.base64 !== undefined
      ? Uint8Array.from(atob(msg.base64), (c) => c.charCodeAt(0))
      : new TextEncoder().encode(redactText(msg.text ?? ""));
    const entry = { name: msg.name, path: `artifacts/${this.#jobId}/${msg.name}` };
    const at = this.#artifacts.findIndex((a) => a.name === msg.name);
    if (at >= 0) this.#artifacts[at] = entry;
    else this.#artifacts.push(entry);
    const dir = this.#dir;
    return async () => {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeFile(path, data);
    };
  }
}

/** A result's own artifacts with the written ones over them, by name. */
export function mergeArtifacts(own: Artifact[] | undefined, written: Artifact[]): Artifact[] {
  const byName = new Map<string, Artifact>();
  for (const a of own ?? []) byName.set(a.name, a);
  for (const a of written) byName.set(a.name, a);
  return [...byName.values()];
}
