/**
 * @module
 * A Server-Sent Events parser (WHATWG event-stream rules: LF, CRLF or CR line ends, `:`
 * comments, multi-line `data`, `event`, `id` and `retry` fields), fed decoded text chunks as
 * they arrive. Pure.
 */

/** One dispatched event. */
export interface SseMessage {
  /** @default "message" */
  event: string;
  data: string;
  id?: string;
}

/** Feeds chunks; complete messages go to `onMessage`. */
export class SseReader {
  readonly #onMessage: (m: SseMessage) => void;
  #buffer = "";
  #data: string[] = [];
  #event = "";
  #id: string | undefined;
  /** The reconnection delay the server asked for, if any. */
  retryMs: number | undefined;

  constructor(onMessage: (m: SseMessage) => void) {
    this.#onMessage = onMessage;
  }

  push(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.#buffer);
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (!m || (m[0] === "\r" && m.index === this.#buffer.length - 1)) return;
      this.#line(this.#buffer.slice(0, m.index));
      this.#buffer = this.#buffer.slice(m.index + m[0].length);
    }
  }

  #line(text: string): void {
    if (text === "") {
      if (this.#data.length > 0) {
        const message: SseMessage = {
          event: this.#event || "message",
          data: this.#data.join("\n"),
        };
        if (this.#id !== undefined) message.id = this.#id;
        this.#onMessage(message);
      }
      this.#data = [];
      this.#event = "";
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}
