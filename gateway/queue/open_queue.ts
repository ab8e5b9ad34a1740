/**
 * @module
 * Picks the queue backend (`--queue memory|kv|redis`).
 */
import type { JobQueue, QueueBackend } from "./queue.ts";
import { MemoryQueue } from "./memory/memory_queue.ts";

export interface OpenQueueOptions {
  backend: QueueBackend;
  dataDir: string;
  redisUrl?: string;
}

export function openQueue(options: OpenQueueOptions): Promise<JobQueue> {
  switch (options.backend) {
    case "memory":
      return Promise.resolve(new MemoryQueue());
    default:
      throw new Error(`Queue backend '${options.backend}' is not available in this build`);
  }
}
