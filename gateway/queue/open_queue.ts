/**
 * @module
 * Picks the queue backend (`--queue kv|redis|memory`): the one file that chooses defaults.
 */
import { join } from "node:path";
import type { JobQueue, QueueBackend } from "./queue.ts";
import { MemoryQueue } from "./memory/memory_queue.ts";
import { KvQueue } from "./kv/kv_queue.ts";

export interface OpenQueueOptions {
  backend: QueueBackend;
  /** Where the KV store lives (`<dataDir>/queue.kv`). */
  dataDir: string;
  /** For `redis`. @default "redis://127.0.0.1:6379" */
  redisUrl?: string;
}

export async function openQueue(options: OpenQueueOptions): Promise<JobQueue> {
  switch (options.backend) {
    case "memory":
      return new MemoryQueue();
    case "kv":
      await Deno.mkdir(options.dataDir, { recursive: true });
      return await KvQueue.open(join(options.dataDir, "queue.kv"));
    case "redis": {
      const { RedisQueue } = await import("./redis/redis_queue.ts");
      return await RedisQueue.connect(options.redisUrl ?? "redis://127.0.0.1:6379");
    }
  }
}
