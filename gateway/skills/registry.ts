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
import { CODING_PATTERNS } from "./coding/coding_patterns.ts";
import { BROWSER_PATTERNS } from "./browser/browser_patterns.ts";

/** Skills and what must be stopped when the gateway stops (e.g. a browser driver). */
export interface SkillSet {
  skills: Skill[];
  /**
   * What the router recognises: every skill above, plus the known intents whose worker is not
   * enabled here. Their jobs are queued and end with a clear `no_worker` error (or run on
   * another worker process that has them) instead of the request being dropped as unrouted.
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
  const known: RoutableSkill[] = [
    { intent: "coding", patterns: CODING_PATTERNS },
    { intent: "browser", patterns: BROWSER_PATTERNS },
  ];
  const routable: RoutableSkill[] = [
    ...skills,
    ...known.filter((k) => !skills.some((s) => s.intent === k.intent)),
  ];
  return {
    skills,
    routable,
    async close() {
      for (const close of closers) await close();
    },
  };
}
