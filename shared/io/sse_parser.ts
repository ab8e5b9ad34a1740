/**
 * @module
 * A Server-Sent Events parser for every reader of `/events`: the dashboard's browser script,
 * which reads it with `fetch` (so it can send the bearer token in a header, which `EventSource`
 * cannot), and the edge's session feed. It follows
 * the WHATWG event-stream rules: LF, CRLF or CR line ends; `:` comments (heartbeats) ignored;
 * multi-line `data`; `event`, `id`, `retry` fields. The function is self-contained because the
 * page embeds its source text (`createSseParser.toString()`): tested here, run there.
 */

export interface SseMessage {
  /** @default "message" */
  event: string;
  data: string;
  id?: string;
}

export interface SseParser {
  /** Feeds the next decoded chunk of the stream; complete messages go to the callback. */
  push(chunk: string): void;
  /** The reconnection delay the server asked for with `retry:`, if any. */
  retryMs(): number | undefined;
}

export function createSseParser(onMessage: (message: SseMessage) => void): SseParser {
  let buffer = "";
  let data: string[] = [];
  let event = "";
  let id: string | undefined;
  let retry: number | undefined;
  const line = (text: string) => {
    if (text === "") {
      if (data.length > 0) {
        const message: SseMessage = { event: event || "message", data: data.join("\n") };
        if (id !== undefined) message.id = id;
        onMessage(message);
      }
      data = [];
      event = "";
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) id = value;
    else if (field === "retry" && /^\d+$/.test(value)) retry = Number(value);
  };
  return {
    push(chunk: string) {
      buffer += chunk;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buffer);
        // A CR at the very end may be the first half of a CRLF split across chunks.
        if (!m || (m[0] === "\r" && m.index === buffer.length - 1)) return;
        line(buffer.slice(0, m.index));
        buffer = buffer.slice(m.index + m[0].length);
      }
    },
    retryMs: () => retry,
  };
}
