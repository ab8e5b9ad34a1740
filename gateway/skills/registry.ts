/**
 * @module
 * The skills this gateway runs. Adding a skill: a folder under `gateway/skills/` with its
 * patterns, worker and permissions, and one line here.
 */
import type { Skill } from "./skill.ts";
import { echoSkill } from "./echo/echo_skill.ts";

/** Skills and what must be stopped when the gateway stops (e.g. a browser driver). */
export interface SkillSet {
  skills: Skill[];
  close(): Promise<void>;
}

export interface SkillSetOptions {
  /** Gateway settings skills read (data dir, env, workspace). */
  skillContext?: import("./skill.ts").SkillContext;
  /** Intents to leave out (e.g. `--skills echo,coding`). */
  only?: readonly string[];
}

export function createSkillSet(options: SkillSetOptions = {}): SkillSet {
  const closers: (() => Promise<void>)[] = [];
  const all: Skill[] = [
    echoSkill,
  ];
  const skills = options.only ? all.filter((s) => options.only!.includes(s.intent)) : all;
  return {
    skills,
    async close() {
      for (const close of closers) await close();
    },
  };
}
