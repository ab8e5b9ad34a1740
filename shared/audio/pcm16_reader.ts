/**
 * @module
 * Reads a byte stream of 16-bit little-endian PCM as whole samples. Streams split anywhere,
 * also inside a sample, so an odd last byte is carried over to the next piece.
 */

/** Turns byte pieces into whole 16-bit samples, carrying a split sample's first byte. */
export class Pcm16Reader {
  #carry: number | undefined;

  /** The whole samples `piece` completes; empty when it completes none. */
  push(piece: Uint8Array): Int16Array {
    let bytes = piece;
    if (this.#carry !== undefined) {
      const joined = new Uint8Array(bytes.length + 1);
      joined[0] = this.#carry;
      joined.set(bytes, 1);
      bytes = joined;
      this.#carry = undefined;
    }
    if (bytes.length % 2 === 1) {
      this.#carry = bytes[bytes.length - 1];
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    // Copied, not viewed: the piece's buffer may be unaligned or reused by the stream.
    const samples = new Int16Array(bytes.length / 2);
    new Uint8Array(samples.buffer).set(bytes);
    return samples;
  }
}
