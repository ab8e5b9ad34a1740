import { assertEquals } from "@shared/testing/asserts.ts";
import { type SseMessage, SseReader } from "./sse_reader.ts";

Deno.test("SseReader follows the event-stream rules across chunk borders", () => {
  const got: SseMessage[] = [];
  const r = new SseReader((m) => got.push(m));
  r.push("retry: 1500\r\n: ping\r\n\r\nevent: tr");
  r.push("ace\r");
  r.push('\ndata: {"a":1}\ndata: two\nid: 7\n\n');
  r.push("data: plain\r\r");
  r.push("event: empty\n\n");
  assertEquals(got, [
    { event: "trace", data: '{"a":1}\ntwo', id: "7" },
    { event: "message", data: "plain", id: "7" },
  ]);
  assertEquals(r.retryMs, 1500);
});
