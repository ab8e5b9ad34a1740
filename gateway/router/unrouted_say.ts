/**
 * @module
 * The one sentence said back when nothing was routed: what the gateway can do, from the
 * registered skills' abilities ("I can change code or check a web page; I didn't catch which.").
 */

/** Joins phrases as spoken: "a", "a or b", "a, b or c". */
function spokenList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** The sentence for an unrouted request, naming the skills that say what they can do. */
export function unroutedSay(skills: readonly { ability?: string | undefined }[]): string {
  const abilities = [...new Set(skills.flatMap((s) => (s.ability ? [s.ability.trim()] : [])))]
    .filter(Boolean);
  if (abilities.length === 0) return "I didn't catch what to do.";
  return `I can ${spokenList(abilities)}; I didn't catch which.`;
}
