import { assertEquals } from "@shared/testing/asserts.ts";
import { createSseParser, type SseMessage } from "./sse_parser.ts";

function parse(chunks: string[]): { messages: SseMessage[]; retry: number | undefined } {
  const messages: SseMessage[] = [];
  const parser = createSseParser((m) => messages.push(m));
  for (const c of chunks) parser.push(c);
  return { messages, retry: parser.retryMs() };
}

const cases: { name: string; chunks: string[]; messages: SseMessage[]; retry?: number }[] = [
  {
    name: "named events with JSON data",
    chunks: ['event: trace\ndata: {"a":1}\n\nevent: stats\ndata: {"b":2}\n\n'],
    messages: [{ event: "trace", data: '{"a":1}' }, { event: "stats", data: '{"b":2}' }],
  },
  {
    name: "a message split across chunks at any point",
    chunks: ["eve", "nt: tr", "ace\nda", "ta: x\n", "\n"],
    messages: [{ event: "trace", data: "x" }],
  },
  {
    name: "heartbeat comments and blank lines alone dispatch nothing",
    chunks: [": ping\n\n", "\n\n: another\n\n"],
    messages: [],
  },
  {
    name: "multi-line data joins with newlines; no event field means 'message'",
    chunks: ["data: one\ndata: two\ndata\n\n"],
    messages: [{ event: "message", data: "one\ntwo\n" }],
  },
  {
    name: "CRLF and CR line ends, including a CRLF split between chunks",
    chunks: ["event: a\r\ndata: 1\r", "\n\r\nevent: b\rdata: 2\r\r: more\n"],
    messages: [{ event: "a", data: "1" }, { event: "b", data: "2" }],
  },
  {
    name: "retry and id fields; an unfinished message is held back",
    chunks: ["retry: 2500\nid: 7\nevent: hello\ndata: {}\n\nevent: trace\ndata: partial"],
    messages: [{ event: "hello", data: "{}", id: "7" }],
    retry: 2500,
  },
  {
    name: "a non-numeric retry is ignored; only one leading space is stripped",
    chunks: ["retry: soon\ndata:  two spaces\n\n"],
    messages: [{ event: "message", data: " two spaces" }],
  },
];
for (const c of cases) {
  Deno.test(`createSseParser(): ${c.name}`, () => {
    assertEquals(parse(c.chunks), { messages: c.messages, retry: c.retry });
  });
}

Deno.test("createSseParser() source runs on its own, as the page embeds it", () => {
  const rebuilt = new Function(
    `return (${createSseParser.toString()})`,
  )() as typeof createSseParser;
  const seen: SseMessage[] = [];
  rebuilt((m) => seen.push(m)).push("event: trace\ndata: 1\n\n");
  assertEquals(seen, [{ event: "trace", data: "1" }]);
});

Deno.test("createSseParser() follows the event-stream rules across chunk borders", () => {
  const got: SseMessage[] = [];
  const r = createSseParser((m) => got.push(m));
  r.push("retry: 1500\r\n: ping\r\n\r\nevent: tr");
  r.push("ace\r");
  r.push('\ndata: {"a":1}\ndata: two\nid: 7\n\n');
  r.push("data: plain\r\r");
  r.push("event: empty\n\n");
  assertEquals(got, [
    { event: "trace", data: '{"a":1}\ntwo', id: "7" },
    { event: "message", data: "plain", id: "7" },
  ]);
  assertEquals(r.retryMs(), 1500);
});
