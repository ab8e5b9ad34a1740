/**
 * @module
 * What the Gemini STAND-IN "decides", turn by turn. It cannot see the screenshots it gets, so
 * each script is a fixed list of Computer Use function calls ending in a final text answer, and
 * the answers about the QA dashboard come from that page's fixture, not from reading the page.
 *
 * Like the real models, a script speaks the function set of the model it is asked as: the
 * legacy set (`click_at`, `type_text_at`, …) for {@link LEGACY_COMPUTER_USE_MODELS}, the
 * current set (`click`, `type`, …) for every other model.
 */
import { QA_DEPLOY_STATUS, QA_TARGETS } from "./qa_dashboard.ts";

/** One model turn: function calls (several run in order), or a final text answer. */
export interface ScriptStep {
  calls?: { name: string; args: Record<string, unknown> }[];
  text?: string;
}

/** Picks the steps of a conversation from its instruction, the QA page's URL and the model. */
export type GeminiScript = (instruction: string, qaUrl: string, model: string) => ScriptStep[];

/** The models that answer with the legacy Computer Use functions (as the API's models do). */
export const LEGACY_COMPUTER_USE_MODELS = [
  "gemini-2.5-computer-use-preview-10-2025",
  "gemini-3-flash-preview",
  "gemini-3.1-pro-preview",
] as const;

/** Which function set `model` answers with. */
export function generationOf(model: string): "legacy" | "current" {
  return (LEGACY_COMPUTER_USE_MODELS as readonly string[]).includes(model) ? "legacy" : "current";
}

/** The first http(s) URL in the instruction, else the stand-in's own QA page. */
function target(instruction: string, qaUrl: string): string {
  return /https?:\/\/[^\s,;]+/.exec(instruction)?.[0]?.replace(/[.)]+$/, "") ?? qaUrl;
}

const call = (name: string, args: Record<string, unknown> = {}): ScriptStep => ({
  calls: [{ name, args }],
});

const QA_ANSWER =
  `The QA dashboard shows "Deploy status: ${QA_DEPLOY_STATUS}". The deploy is ${QA_DEPLOY_STATUS.toLowerCase()}.`;
const SAFETY = {
  decision: "require_confirmation",
  explanation: "Saving a note changes the QA dashboard.",
};

/** "Open the QA dashboard to verify deploy status": open, go there, look at the status. */
export const qaScript: GeminiScript = (instruction, qaUrl, model) =>
  generationOf(model) === "legacy"
    ? [
      call("open_web_browser"),
      call("navigate", { url: target(instruction, qaUrl) }),
      call("click_at", { ...QA_TARGETS.status }),
      { text: QA_ANSWER },
    ]
    : [
      call("take_screenshot"),
      call("navigate", { url: target(instruction, qaUrl) }),
      call("click", { ...QA_TARGETS.status }),
      { text: QA_ANSWER },
    ];

/** Types a note and saves it; the save needs a person's confirmation first. */
export const confirmScript: GeminiScript = (instruction, qaUrl, model) =>
  generationOf(model) === "legacy"
    ? [
      call("navigate", { url: target(instruction, qaUrl) }),
      call("type_text_at", { ...QA_TARGETS.note, text: "deploy verified", press_enter: false }),
      call("click_at", { ...QA_TARGETS.save, safety_decision: SAFETY }),
      { text: "Saved the note 'deploy verified' on the QA dashboard." },
    ]
    : [
      call("navigate", { url: target(instruction, qaUrl) }),
      // The current set types into the focused element: focus the field first.
      call("click", { ...QA_TARGETS.note }),
      call("type", { text: "deploy verified", press_enter: false }),
      call("click", { ...QA_TARGETS.save, safety_decision: SAFETY }),
      { text: "Saved the note 'deploy verified' on the QA dashboard." },
    ];

/** Starts with an action the browser environment does not have, then does the QA flow. */
export const unknownActionScript: GeminiScript = (instruction, qaUrl, model) => [
  call("teleport", { destination: "the QA dashboard" }),
  ...qaScript(instruction, qaUrl, model).slice(1),
];

export const SCRIPTS = {
  qa: qaScript,
  confirm: confirmScript,
  unknown_action: unknownActionScript,
} as const satisfies Record<string, GeminiScript>;
export type ScriptName = keyof typeof SCRIPTS | "auto";

/** The default: a request to save or submit gets the confirmation script, the rest the QA one. */
export const autoScript: GeminiScript = (instruction, qaUrl, model) =>
  /\b(?:save|submit)\b/i.test(instruction)
    ? confirmScript(instruction, qaUrl, model)
    : qaScript(instruction, qaUrl, model);

export function scriptByName(name: ScriptName): GeminiScript {
  return name === "auto" ? autoScript : SCRIPTS[name];
}
