/**
 * @module
 * Sentence shapes that ask for a code change without a code word the lexicon knows: a question
 * about why our thing misbehaves ("why does my pygame window freeze…"), how a piece of software
 * should behave ("the level editor should autosave…"), and a component named for what it does
 * ("the trainer", "the data loader"). Cues of the coding lexicon (see `coding_patterns.ts`).
 */
import type { LexiconTerm } from "../../skill_kit/lexicon.ts";

/** What goes wrong with a program: the predicates of a debugging question. */
const MALFUNCTION =
  "freez|froze|hang|hangs|hung|crash|go(?:es)? blank|went blank|fail|leak|double[- ]?trigger|time(?:s|d)? out|timing out|pull(?:s|ed|ing)? in|stall|stutter|flicker|segfault|deadlock|throw|panic|spin(?:s|ning)? forever|blow(?:s)? up|choke|lag|break|broke|duplicat|keep(?:s)? (?:failing|crashing|restarting|reconnecting|dropping|breaking|returning|looping)|loop(?:s)? forever|return(?:s)? (?:null|nil|none|undefined|nan|zero|empty|the wrong|an empty|a wrong|garbage)";

/** Software that is ours to change, as the subject of "should" or the owner of a fault. */
const SOFTWARE =
  "sketch|node|action|calculation|calculator|importer|module|component|class|function|method|handler|controller|route|hook|query|migration|loop|parser|validator|middleware|logic|code|app|apps|game|service|project|firmware|driver|library|plugin|bot|tool|script|pipeline|sdk|cli|backend|back end|frontend|front end|server|daemon|worker|job|cron job|binary|build|installer|extension|addon|add-on|mod|model|notebook|window|ui|api|endpoint|export|install|test suite|tests|container";

/**
 * Agent nouns in -er/-or that name people or everyday things, not components: "the user", "my
 * manager", "the browser". The rest after a determiner name a part of a program.
 */
const NOT_COMPONENTS =
  "user|users|owner|manager|customer|member|partner|teacher|player|driver|doctor|order|folder|number|paper|letter|water|dinner|corner|power|answer|other|another|weather|winter|summer|offer|quarter|sister|brother|mother|father|character|chapter|register|later|never|ever|after|under|over|better|matter|rather|either|whether|neither|together|super|browser|computer|server|error|mirror|monitor|color|colour|cover|header|footer|poster|border|counter|filter|timer|reminder|calendar|daughter|neighbor|neighbour|officer|reviewer|developer|engineer|designer|recruiter|leader|speaker|writer|visitor|vendor|actor|author|director|supervisor|investor|sponsor|founder|tutor|mentor|counselor|professor|tractor|elevator|floor|door|door|flavor|flavour|favor|favour|labor|labour|honor|honour|humor|humour|tumor|rumor|sailor|tailor|mayor|major|minor|junior|senior|interior|exterior|behavior|behaviour|error|terror|razor|factor|sector|vector|tensor|anchor|indicator";

export const CODE_CUES: readonly LexiconTerm[] = [
  // "why does my pygame window freeze…", "how come our unity export keeps failing…": a
  // question about why our thing misbehaves is a debugging task.
  {
    name: "debugging question",
    pattern: new RegExp(
      `^(?:(?:can you |could you )?(?:find out |figure out |work out |see |look into )?(?:why|how come)\\b)(?!.*\\b(?:site|website|page|portal|dashboard|account)\\b)[^,;?]{0,80}?\\b(?:${MALFUNCTION})`,
      "i",
    ),
    weight: 3,
  },
  // "the level editor should autosave", "the rails app should reject uploads": what a piece of
  // our software should do is a change to it. Only the modal is matched: the subject's nouns
  // still count (as qualifiers of the wish).
  {
    name: "software should",
    pattern: new RegExp(
      `(?<=^(?:(?:i think|i guess|i feel like|honestly|imo|probably)\\s+)?(?:the|our|my|this|that)\\s+(?:[a-z0-9'-]+\\s+){0,3}?(?:${SOFTWARE}|[a-z]{3,}(?:er|or)s?)(?:\\s+(?:for|of|that|which)(?:\\s+[a-z0-9'-]+){1,4}?)?\\s+)(?:should|must|needs? to|has to|ought to|could)(?=\\s+(?!be\\b|have\\b|not\\b|really\\b)[a-z])`,
      "i",
    ),
    // Only the modal is matched (its subject is looked behind at).
    words: ["should", "must", "need", "needs", "has", "ought", "could"],
    weight: 2,
  },
  // "add early stopping to the trainer", "the data loader keeps crashing": a program's part
  // named for what it does, ending its noun phrase ("the rollover defaults" are settings).
  // Weak: it needs a code verb or another code word beside it.
  {
    name: "component by role",
    pattern: new RegExp(
      `(?<=\\b(?:the|our|my|a|an|this|that|its)\\s+(?:[a-z0-9-]+\\s+)?)(?!(?:${NOT_COMPONENTS})\\b)[a-z]{3,}(?:er|or)s?\\b(?=\\s*$|\\s*[,.;!?]|\\s+(?:to|in|on|for|with|so|that|which|and|or|should|must|needs?|keeps?|is|isn'?t|does|doesn'?t|won'?t|can'?t|from|when|whenever|if|by|at|crash\\w*|fail\\w*|hangs?|freezes?|throws?)\\b)`,
      "i",
    ),
    weight: 1,
  },
  // "the download button in the shiny app", "the tab title in the react side project": what
  // is inside our app or project is its code (not "the app's page on the store"). Only "in
  // the" is matched, a clause-wide signal below a verb's weight: the nouns still count.
  {
    name: "in our app",
    pattern:
      /\b(?:in|inside) (?:the|our|my|this|that)\b(?=\s+(?!(?:[a-z0-9-]+\s+){0,2}?(?:web|cloud)\s+app)(?:[a-z0-9-]+\s+){0,3}?(?:app|application|project|codebase|frontend|front end|front-end|fragment|activity|sketch|firmware)\b(?!\s+(?:page|site|store|listing|dashboard|console|portal|settings|board|account)\b))/i,
    weight: 1.5,
  },
  // "add a copy to clipboard button to the api keys page", "fix the feedback widget on the
  // settings page": a code verb on a UI part of a page is a change to our page (a browser clicks
  // the parts a page has). The page, with its qualifiers, is matched.
  {
    name: "our page",
    pattern:
      /(?<=^(?:add|fix|move|change|put|remove|hide|show|restyle|align|center|centre|resize|rename|disable|enable)\s+(?:a|an|the|our|that|this)\s+(?:[a-z0-9-]+\s+){0,4}?(?:button|widget|link|banner|toggle|switch|dropdown|modal|tooltip|badge|icon|spinner|field|input|checkbox|menu|section|column|search bar|progress bar|placeholder|label)s?\s+(?:on|to|in|into|from|at the (?:top|bottom) of)\s+(?:the|our|that|this)\s+)(?:[a-z0-9-]+\s+){0,3}?(?:page|screen|view|form)\b(?!\s+(?:component|module|fragment|template|file|layout|class|test|partial|controller)s?\b)/i,
    requiresOne: ["page", "screen", "view", "form"],
    weight: 2,
  },
];
