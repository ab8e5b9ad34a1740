/**
 * @module
 * `writeAll(file, bytes)`: a file's `write` may take fewer bytes than it is given; this writes
 * until every byte is taken.
 */

/** Writes every byte of `bytes` to `file`, in as many writes as it takes. */
export async function writeAll(
  file: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}
