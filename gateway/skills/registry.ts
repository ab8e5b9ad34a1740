/**
 * @module
 * The skills this gateway runs. Adding a skill: a folder under `gateway/skills/` with its
 * patterns, worker and permissions, and one line here.
 */
import type { Skill } from "./skill.ts";
import type { RoutableSkill } from "../router/router.ts";
import { echoSkill } from "./echo/echo_skill.ts";
import { codingSkill } from "./coding/coding_skill.ts";
import { createBrowserSkill } from "./browser/browser_skill.ts";

/** Skills and what must be stopped when the gateway stops (e.g. a browser driver). */
export interface SkillSet {
  /** The skills this process runs (all, or those named by `--skills`). */
  skills: Skill[];
  /** Every registered skill, run here or not: their retry policies apply wherever they run. */
  registered: Skill[];
  /**
   * What the router recognises: every registered skill, enabled here or not. Jobs for one not
   * enabled here wait for a worker process that runs it, instead of being dropped as unrouted.
   */
  routable: RoutableSkill[];
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
  const browser = createBrowserSkill({
    ...(options.skillContext?.env("CHROMIUM_PATH")
      ? { chromiumPath: options.skillContext.env("CHROMIUM_PATH")! }
      : {}),
  });
  closers.push(browser.close);
  const all: Skill[] = [
    echoSkill,
    codingSkill,
    browser.skill,
  ];
  const skills = options.only ? all.filter((s) => options.only!.includes(s.intent)) : all;
  return {
    skills,
    registered: all,
    routable: all,
    async close() {
      for (const close of closers) await close();
    },
  };
}
