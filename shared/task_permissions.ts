/**
 * @module
 * The `--allow-*` flags a `deno.json` task runs with. Programs that start the edge or the
 * gateway (the demo, tests, benchmarks) take them from here, so they run with the permissions
 * the product ships with, not a broader set written out again.
 */

/** The task's `--allow-*` flags; throws when the task is missing or grants nothing. */
export function taskPermissions(
  config: { tasks?: Record<string, string> },
  task: string,
): string[] {
  const command = config.tasks?.[task];
  if (!command) throw new Error(`deno.json has no '${task}' task`);
  const flags = command.split(/\s+/).filter((t) => t.startsWith("--allow-"));
  if (flags.length === 0) throw new Error(`the '${task}' task in deno.json grants no permissions`);
  return flags;
}

/** The flags of a task in this repository's `deno.json`. */
export async function shippedPermissions(
  task: "edge" | "gateway" | "worker" | "demo",
): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  return taskPermissions(config, task);
}
