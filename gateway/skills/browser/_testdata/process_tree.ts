/**
 * @module
 * Test helper: the processes below a pid (Linux `/proc`), to find the Chromium a driver runs
 * and to prove it is gone afterwards.
 */

interface Proc {
  pid: number;
  ppid: number;
  cmdline: string;
}

async function processes(): Promise<Proc[]> {
  const out: Proc[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      // The command name (2nd field) may hold spaces and parentheses: split after its ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).replaceAll(
        "\0",
        " ",
      );
      out.push({ pid: Number(entry.name), ppid, cmdline });
    } catch { /* exited while listing */ }
  }
  return out;
}

/** Every live process descending from `pid`. */
export async function descendants(pid: number): Promise<Proc[]> {
  const all = await processes();
  const found: Proc[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

/** Whether a process with this pid is still alive (zombies count as gone). */
export async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
