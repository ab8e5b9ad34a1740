/**
 * @module
 * One HTTP/1.1 request over a raw loopback socket, for tests that must send what `fetch` will
 * not: a `Host` header of their choosing (fetch always sends the URL's), or none at all.
 */

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

const encoder = new TextEncoder();

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Decodes a chunked body (complete, as read up to the connection's end). */
function unchunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const crlf = encoder.encode("\r\n");
  let at = 0;
  while (at < bytes.length) {
    const end = indexOf(bytes, crlf, at);
    if (end < 0) break;
    const size = parseInt(new TextDecoder().decode(bytes.subarray(at, end)), 16);
    if (!size) break;
    parts.push(bytes.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Sends `method path` to 127.0.0.1:`port` with exactly `headers` (add `host` yourself; none is
 * added) and reads the whole answer (the request asks the server to close the connection); of
 * an event stream, only its headers.
 */
export async function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: [string, string][],
  body?: string,
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [`${method} ${path} HTTP/1.1`, ...headers.map(([k, v]) => `${k}: ${v}`)];
    if (body !== undefined) lines.push(`content-length: ${encoder.encode(body).length}`);
    lines.push("connection: close", "", body ?? "");
    await conn.write(encoder.encode(lines.join("\r\n")));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      // A stream never ends by itself: its headers are all the caller gets.
      const head = new TextDecoder().decode(chunks.at(-1)!);
      if (/\r\ncontent-type: text\/event-stream/i.test(head) && head.includes("\r\n\r\n")) break;
    }
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    const split = indexOf(all, encoder.encode("\r\n\r\n"));
    if (split < 0) throw new Error(`no complete answer: ${new TextDecoder().decode(all)}`);
    const [statusLine, ...fields] = new TextDecoder().decode(all.subarray(0, split)).split("\r\n");
    const status = Number(statusLine!.split(" ")[1]);
    const out = new Headers();
    for (const f of fields) {
      const colon = f.indexOf(":");
      out.append(f.slice(0, colon).trim(), f.slice(colon + 1).trim());
    }
    let rest: Uint8Array = all.subarray(split + 4);
    if (out.get("transfer-encoding")?.includes("chunked")) rest = unchunk(rest);
    return { status, headers: out, text: new TextDecoder().decode(rest) };
  } finally {
    try {
      conn.close();
    } catch { /* already closed by the server */ }
  }
}
