/**
 * @module
 * Requests for a personal assistant: "remind me on monday to renew my badge", "set a timer for
 * twenty minutes", "send a message to priya saying the meeting moved", "play some jazz". No skill
 * does these; the verb at the clause's start takes the rest as its argument, like a command word,
 * so "…to reboot the build server" inside it asks nothing of the coding skill.
 */

const ASSISTANT_REQUEST = new RegExp(
  "^(?:" + [
    // Reminders, timers and alarms.
    "remind (?:me|us)\\b",
    "set (?:up )?(?:a|an|my)\\s+(?:[a-z0-9-]+\\s+){0,2}?(?:timer|alarm|reminder|countdown|wake[- ]?up call)s?\\b",
    "start (?:a|an)\\s+(?:[a-z0-9-]+\\s+){0,2}?(?:timer|countdown)\\s+for\\b",
    "wake (?:me|us) up\\b",
    // Messages to people: a message to someone "saying"/"that"/"about" something.
    "(?:send|write|shoot|drop) (?:a |an )?(?:quick |short )?(?:message|text|email|e-mail|note|dm|sms|voice note)\\s+(?:to\\s+)?(?!the\\b|our\\b|all\\b|every|a\\b|an\\b)(?:my\\s+)?[a-z]+\\b(?=.*\\b(?:saying|that|telling|to say|about|asking)\\b)",
    "(?:text|message|email|dm|ping) (?!the\\b|our\\b|all\\b|every|a\\b|an\\b|it\\b|them\\b|this\\b|that\\b)(?:my\\s+)?[a-z]+\\s+(?:saying|that|to say|and tell|telling|asking)\\b",
    "(?:call|ring|phone|facetime) (?:my\\s+|the\\s+)?(?:mom|mum|dad|wife|husband|partner|boss|brother|sister|friend|doctor|dentist)\\b",
    // The speaker's own calendar and day: "put a meeting in my calendar", "what's on my
    // calendar", "what time is it", "how many hours have I got left today".
    "(?:put|add|schedule|book|block|move|cancel|set up)\\b.*\\b(?:in|on|into|from|to) my calendar\\b",
    "what'?s (?:on|in) my calendar\\b",
    "(?:what time is it|what'?s the time|what day is (?:it|today)|what'?s (?:the date|today'?s date))\\b",
    "how (?:many hours|much time) (?:have|do) (?:i|we)\\b",
    // The device's own modes.
    "(?:turn|switch|put)(?: (?:on|off))?\\s+(?:my\\s+|the\\s+)?(?:phone\\s+)?(?:on\\s+|to\\s+)?(?:do not disturb|dnd|focus mode|airplane mode|night shift|silent mode)\\b",
    "(?:silence|mute) my (?:phone|notifications)\\b",
    // Music and media.
    "(?:play|put on|queue up) (?:some|me some|my|the|a)?\\s*(?:[a-z0-9-]+\\s+){0,2}?(?:music|song|songs|playlist|album|podcast|radio|jazz|lofi|lo-fi|tunes)\\b",
  ].join("|") + ")",
  "i",
);

/** A room or a device of a home or an office, not of a program. */
const HOME_THING =
  /\b(?:(?:the|my|our)\s+(?:[a-z]+\s+)?(?:lights?|lamps?)(?!\s+(?:theme|mode|version|build))|thermostat|heating|heater|radiators?|air ?con(?:ditioning)?|a\/c|ceiling fan|blinds|curtains|(?:living|bed|meeting|dining|guest|conference|class|bath|waiting)\s?rooms?|kitchen|hallway|garage|lounge)\b/i;
/** Comfort asked of a room or device: warmer, dimmer, switched off. */
const COMFORT =
  /\b(?:warmer|cooler|colder|hotter|brighter|darker|dim(?:mer)?|too (?:warm|cold|hot|bright|dark|loud|noisy|stuffy|chilly)|(?:turn|switch)(?:ed)?\s+(?:[a-z]+\s+){0,3}?(?:on|off|up|down))\b/i;

/**
 * Whether a clause asks for comfort in a room or from a home device ("it'd be nice if the living
 * room was a bit warmer", "the light in the meeting room is too bright"): a smart home's work, not
 * any skill's. `namesObject`: the lexicons found a skill's object in it ("the thermostat
 * component should turn off…" is code), which rules it out.
 */
export function homeRequest(clause: string, namesObject: boolean): boolean {
  return !namesObject && HOME_THING.test(clause) && COMFORT.test(clause);
}

/** Whether a clause (filler already stripped) asks a personal assistant, not any skill. */
export function assistantRequest(clause: string): boolean {
  return ASSISTANT_REQUEST.test(clause);
}

/** The speaker's own plan said after such a request: "…, I need to reboot the build server". */
const SPEAKER_PLAN =
  /^(?:(?:i|we)\s+(?:need|have|want|got|gotta|must|should|'ve got|'m going|am going)|(?:i'?ve|we'?ve) got)\b/i;

/** Whether a clause after an assistant's request only says what the speaker will do. */
export function speakerPlan(clause: string): boolean {
  return SPEAKER_PLAN.test(clause);
}

/** How the speaker feels, and nothing asked: "I'm so tired of…", "ugh I'm so behind on…". */
const SPEAKER_FEELING =
  /^(?:ugh+\s+|man\s+|honestly\s+)?(?:(?:i'?m|i am|we'?re|we are)\s+(?:so\s+|really\s+|just\s+|pretty\s+|totally\s+)*(?:tired|sick|fed up|done|behind|stressed|exhausted|overwhelmed|swamped|burnt out|burned out|annoyed|frustrated)\b|(?:i|we)\s+(?:just\s+)?(?:want|need)\s+to\s+(?:vent|rant|complain)\b(?!\s+(?:the|our|my|its|their)\b))/i;

/**
 * Whether a clause only says how the speaker feels. Said alone, it asks no skill for anything;
 * joined to a request ("I'm so tired of the flaky login test, can you fix it") it goes with it.
 */
export function speakerFeeling(clause: string): boolean {
  return SPEAKER_FEELING.test(clause);
}
