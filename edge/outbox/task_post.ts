/**
 * @module
 * One `POST /task` of an outbox item, with a time limit: the wire half of the outbox, apart
 * from its queue and retry loop. It answers with what came back (status, body,
 * `Retry-After`) or why nothing did; deciding what that means is `delivery_policy.ts`'s job.
 */
import type { OutboxItem } from "./outbox_store.ts";

/** Options of {@linkcode postTask}. */
export interface TaskPostOptions {
  /** Sent as `Authorization: Bearer` (`GATEWAY_TOKEN`). */
  token?: string | undefined;
  /** Time limit of the request, answer body included. */
  timeoutMs: number;
  /** Aborts the request (the outbox closing). */
  controller: AbortController;
}

/** What one POST gave: an HTTP answer, or the reason there was none. */
export type TaskPostResult =
  | { kind: "answered"; status: number; body: string; retryAfter: string | null }
  | { kind: "failed"; why: string };

/** Posts `item` to `url`; never throws. */
export async function postTask(
  url: string,
  item: OutboxItem,
  options: TaskPostOptions,
): Promise<TaskPostResult> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const { controller, timeoutMs } = options;
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const res = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({
        text: item.text,
        utterance_id: item.utterance_id,
        source: item.source,
        // An item from an earlier run keeps its own session (or none).
        ...(item.session_id ? { session_id: item.session_id } : {}),
      }),
      signal: controller.signal,
    });
    const retryAfter = res.headers.get("retry-after");
    const body = await res.text();
    return { kind: "answered", status: res.status, body, retryAfter };
  } catch (error) {
    const why = controller.signal.aborted && controller.signal.reason instanceof Error
      ? controller.signal.reason.message
      : (error as Error).message;
    return { kind: "failed", why };
  } finally {
    clearTimeout(timer);
  }
}
