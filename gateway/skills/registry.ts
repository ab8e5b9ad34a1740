/**
 * @module
 * The skills this gateway runs. Adding a skill: a folder under `gateway/skills/` with its
 * patterns, worker and permissions, and one line in {@link REGISTERED_SKILLS}. The router, the
 * engine and the compiled binary (its embedded worker modules) all read this list.
 */
import type { Skill, SkillContext, SkillFactory } from "../skill_kit/skill.ts";
import { echoSkill } from "./echo/echo_skill.ts";
import { codingSkill } from "./coding/coding_skill.ts";
import { browserSkillFactory } from "./browser/browser_skill.ts";

/** Every skill, in the order the router breaks ties. */
export const REGISTERED_SKILLS: readonly SkillFactory[] = [
  () => ({ skill: echoSkill }),
  () => ({ skill: codingSkill }),
  browserSkillFactory,
];

/** Skills and what must be stopped when the gateway stops (e.g. a browser driver). */
export interface SkillSet {
  /** The skills this process runs (all, or those named by `--skills`). */
  skills: Skill[];
  /**
   * Every registered skill, run here or not: the router recognises them all (jobs for one not
   * enabled here wait for a worker process that runs it, instead of being dropped as
   * unrouted), and their retry policies apply wherever they run.
   */
  registered: Skill[];
  close(): Promise<void>;
}

export interface SkillSetOptions {
  /** Gateway settings skills read (data dir, env, workspace). */
  skillContext?: SkillContext;
  /** Intents to leave out (e.g. `--skills echo,coding`). */
  only?: readonly string[];
  /** The skills to build. @default REGISTERED_SKILLS */
  factories?: readonly SkillFactory[];
}

export function createSkillSet(options: SkillSetOptions = {}): SkillSet {
  const instances = (options.factories ?? REGISTERED_SKILLS).map((make) =>
    make(options.skillContext)
  );
  const all = instances.map((i) => i.skill);
  const skills = options.only ? all.filter((s) => options.only!.includes(s.intent)) : all;
  return {
    skills,
    registered: all,
    async close() {
      for (const i of instances) await i.close?.();
    },
  };
}

/**
 * Every module the registered skills load by URL at run time (workers, driver processes), as
 * URLs: a compiled gateway must embed them, since `deno compile` cannot see them.
 */
export async function registeredModules(
  factories: readonly SkillFactory[] = REGISTERED_SKILLS,
): Promise<URL[]> {
  const set = createSkillSet({ factories });
  try {
    return set.registered.flatMap(skillModules);
  } finally {
    await set.close();
  }
}

/** The worker and every other module one skill loads by URL. */
export function skillModules(skill: Skill): URL[] {
  return [skill.worker, ...(skill.modules ?? [])];
}
