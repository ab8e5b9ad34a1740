/**
 * @module
 * The first step of normalising a command: lower case, typographic apostrophes made plain, and
 * every run of other characters (punctuation, dashes, whitespace) made one space, trimmed. Pure.
 *
 * Most utterances, and every one typed or sent by a program ("echo benchmark"), are already in
 * that form once lower-cased; a scan of their characters finds so and returns them as they are,
 * instead of running four replacements that would each change nothing.
 */

const APOSTROPHE = 0x27;
const SPACE = 0x20;

/** Whether `s` holds only `[a-z0-9']` words each separated by one space, none at either end. */
function isFolded(s: string): boolean {
  let previousSpace = true; // no leading space
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === SPACE) {
      if (previousSpace) return false;
      previousSpace = true;
    } else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === APOSTROPHE) {
      previousSpace = false;
    } else return false;
  }
  return !previousSpace || s.length === 0;
}

/** Lower case, `[‘’ʼ`´]` as `'`, and each run of characters outside `[a-z0-9']` as one space. */
export function foldCommandText(text: string): string {
  const lower = text.toLowerCase();
  if (isFolded(lower)) return lower;
  return lower
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[-\u2010-\u2015_/]+/g, " ")
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
