/**
 * @module
 * The Realtime server events a transcription session acts on, parsed with zod through one
 * table keyed by the literal `type`. Shapes follow the GA API as typed in the `openai`
 * package (`openai/resources/realtime/realtime`); the compile-time checks at the bottom fail
 * `deno check` if our schemas drift from those types. Objects are `loose` so that fields the
 * provider adds later pass through. Unknown types are reported as such, never thrown.
 */
import { z } from "zod";
import type {
  ConversationItemInputAudioTranscriptionCompletedEvent,
  ConversationItemInputAudioTranscriptionDeltaEvent,
  ConversationItemInputAudioTranscriptionFailedEvent,
  InputAudioBufferCommittedEvent,
  InputAudioBufferSpeechStartedEvent,
  InputAudioBufferSpeechStoppedEvent,
  RateLimitsUpdatedEvent,
  RealtimeErrorEvent,
  RealtimeServerEvent,
} from "openai/resources/realtime/realtime";

const SessionShape = z.looseObject({
  type: z.string().optional(),
  id: z.string().optional(),
  audio: z.unknown().optional(),
});

export const SessionCreated = z.looseObject({
  type: z.literal("session.created"),
  event_id: z.string(),
  session: SessionShape,
});

export const SessionUpdated = z.looseObject({
  type: z.literal("session.updated"),
  event_id: z.string(),
  session: SessionShape,
});

export const Committed = z.looseObject({
  type: z.literal("input_audio_buffer.committed"),
  event_id: z.string(),
  item_id: z.string(),
  previous_item_id: z.string().nullable().optional(),
});

export const Cleared = z.looseObject({
  type: z.literal("input_audio_buffer.cleared"),
  event_id: z.string(),
});

export const SpeechStarted = z.looseObject({
  type: z.literal("input_audio_buffer.speech_started"),
  event_id: z.string(),
  item_id: z.string(),
  audio_start_ms: z.number(),
});

export const SpeechStopped = z.looseObject({
  type: z.literal("input_audio_buffer.speech_stopped"),
  event_id: z.string(),
  item_id: z.string(),
  audio_end_ms: z.number(),
});

export const TranscriptionDelta = z.looseObject({
  type: z.literal("conversation.item.input_audio_transcription.delta"),
  event_id: z.string(),
  item_id: z.string(),
  content_index: z.number().optional(),
  delta: z.string().optional(),
});

export const TranscriptUsage = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("tokens"),
    input_tokens: z.number(),
    output_tokens: z.number(),
    total_tokens: z.number(),
    input_token_details: z.looseObject({
      audio_tokens: z.number().optional(),
      text_tokens: z.number().optional(),
    }).optional(),
  }),
  z.looseObject({ type: z.literal("duration"), seconds: z.number() }),
]);
export type TranscriptUsage = z.infer<typeof TranscriptUsage>;

export const TranscriptionCompleted = z.looseObject({
  type: z.literal("conversation.item.input_audio_transcription.completed"),
  event_id: z.string(),
  item_id: z.string(),
  content_index: z.number(),
  transcript: z.string(),
  usage: TranscriptUsage.optional(),
});

const ErrorDetails = z.looseObject({
  type: z.string().optional(),
  code: z.string().nullable().optional(),
  message: z.string().optional(),
  param: z.string().nullable().optional(),
  event_id: z.string().nullable().optional(),
});

export const TranscriptionFailed = z.looseObject({
  type: z.literal("conversation.item.input_audio_transcription.failed"),
  event_id: z.string(),
  item_id: z.string(),
  content_index: z.number(),
  error: ErrorDetails,
});

export const ErrorEvent = z.looseObject({
  type: z.literal("error"),
  event_id: z.string(),
  error: z.looseObject({
    type: z.string(),
    message: z.string(),
    code: z.string().nullable().optional(),
    param: z.string().nullable().optional(),
    event_id: z.string().nullable().optional(),
  }),
});

export const RateLimitsUpdated = z.looseObject({
  type: z.literal("rate_limits.updated"),
  event_id: z.string(),
  rate_limits: z.array(z.looseObject({
    name: z.string().optional(),
    limit: z.number().optional(),
    remaining: z.number().optional(),
    reset_seconds: z.number().optional(),
  })),
});

/** Events a transcription session receives but has nothing to do with. */
const Ignored = z.looseObject({ type: z.string(), event_id: z.string().optional() });

/** The one table: server event type → schema. */
export const SERVER_EVENT_SCHEMAS = {
  "session.created": SessionCreated,
  "session.updated": SessionUpdated,
  "input_audio_buffer.committed": Committed,
  "input_audio_buffer.cleared": Cleared,
  "input_audio_buffer.speech_started": SpeechStarted,
  "input_audio_buffer.speech_stopped": SpeechStopped,
  "conversation.item.input_audio_transcription.delta": TranscriptionDelta,
  "conversation.item.input_audio_transcription.completed": TranscriptionCompleted,
  "conversation.item.input_audio_transcription.failed": TranscriptionFailed,
  "error": ErrorEvent,
  "rate_limits.updated": RateLimitsUpdated,
  // A committed buffer becomes a conversation item; a transcription session only needs the
  // `committed` event for that, so these are known and deliberately ignored.
  "conversation.item.added": Ignored,
  "conversation.item.done": Ignored,
  "conversation.item.created": Ignored,
  "conversation.created": Ignored,
  "input_audio_buffer.timeout_triggered": Ignored,
  "conversation.item.input_audio_transcription.segment": Ignored,
} as const;

export type ServerEventType = keyof typeof SERVER_EVENT_SCHEMAS;
export type ServerEvent = {
  [K in ServerEventType]: z.infer<(typeof SERVER_EVENT_SCHEMAS)[K]> & { type: K };
}[ServerEventType];

/** What became of one incoming frame. */
export type ParsedServerFrame =
  | { kind: "event"; event: ServerEvent }
  | { kind: "unknown"; type: string }
  | { kind: "invalid"; reason: string; type?: string };

/** Parses one WebSocket text frame; never throws. */
export function parseServerFrame(data: unknown): ParsedServerFrame {
  if (typeof data !== "string") {
    return { kind: "invalid", reason: "binary frame where a JSON text event was expected" };
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { kind: "invalid", reason: `not JSON: ${JSON.stringify(data.slice(0, 80))}` };
  }
  const head = z.object({ type: z.string() }).safeParse(json);
  if (!head.success) return { kind: "invalid", reason: "a JSON value without a string 'type'" };
  const type = head.data.type;
  if (!Object.hasOwn(SERVER_EVENT_SCHEMAS, type)) return { kind: "unknown", type };
  const schema = SERVER_EVENT_SCHEMAS[type as ServerEventType];
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { kind: "invalid", type, reason: issues.join("; ") };
  }
  return { kind: "event", event: parsed.data as ServerEvent };
}

// Compile-time drift checks: every event type in our table that the SDK knows must be one of
// the SDK's server event types, and the SDK's events must satisfy our schemas' inferred types.
type SdkType = RealtimeServerEvent["type"];
/** Drops, at every depth, the `[k: string]: unknown` index signature `looseObject` adds. */
type Declared<T> = T extends readonly (infer U)[] ? Declared<U>[]
  : T extends object ? { [K in keyof T as string extends K ? never : K]: Declared<T[K]> }
  : T;
type Extends<A, B> = [A] extends [Declared<B>] ? true : false;
type Assert<T extends true> = T;
export type _TableTypesExist = Assert<[ServerEventType] extends [SdkType] ? true : false>;
export type _CommittedMatches = Assert<
  Extends<InputAudioBufferCommittedEvent, z.input<typeof Committed>>
>;
export type _DeltaMatches = Assert<
  Extends<ConversationItemInputAudioTranscriptionDeltaEvent, z.input<typeof TranscriptionDelta>>
>;
export type _CompletedMatches = Assert<
  Extends<
    ConversationItemInputAudioTranscriptionCompletedEvent,
    z.input<typeof TranscriptionCompleted>
  >
>;
export type _FailedMatches = Assert<
  Extends<ConversationItemInputAudioTranscriptionFailedEvent, z.input<typeof TranscriptionFailed>>
>;
export type _ErrorMatches = Assert<Extends<RealtimeErrorEvent, z.input<typeof ErrorEvent>>>;
export type _RateLimitsMatch = Assert<
  Extends<RateLimitsUpdatedEvent, z.input<typeof RateLimitsUpdated>>
>;
export type _SpeechStartedMatches = Assert<
  Extends<InputAudioBufferSpeechStartedEvent, z.input<typeof SpeechStarted>>
>;
export type _SpeechStoppedMatches = Assert<
  Extends<InputAudioBufferSpeechStoppedEvent, z.input<typeof SpeechStopped>>
>;
