/**
 * @module
 * Splits a byte stream into text lines (what `@std/streams`' TextLineStream does; JSR is not
 * reachable from our machines). Handles `\n` and `\r\n`, and a last line without a newline.
 */

/** Yields each line of `stream`, without its line ending. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, nl).replace(/\r$/, "");
      buffered = buffered.slice(nl + 1);
    }
  }
  buffered += decoder.decode();
  if (buffered.length > 0) yield buffered.replace(/\r$/, "");
}
