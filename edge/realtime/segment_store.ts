/**
 * @module
 * The transcriber's held segments: each speech segment from its start until its final
 * transcript, with its 24 kHz audio, so that a dropped connection loses nothing. The store
 * keeps them in speech order within the held-audio bounds, knows which segment owns the
 * provider's input buffer and which commits are in flight, and puts segments on a connection
 * (append, commit, replay in order) through a {@linkcode RealtimeWire}. Synchronous: nothing
 * here waits on the network, as the audio path calls it.
 */
import { getLogger } from "@logtape/logtape";
import { clearAudio, commitAudio } from "./client_events.ts";
import {
  MIN_COMMIT_SAMPLES,
  type RealtimeWire,
  REPLAY_APPEND_SAMPLES,
  SAMPLES_PER_MS,
  sliceChunks,
} from "./audio_chunks.ts";
import { type EdgeTracer, emitTrace } from "../support/edge_trace.ts";

const log = getLogger(["edge", "realtime"]);
const SOURCE = "edge.realtime";

export type SegmentState = "open" | "ended" | "committing" | "committed";

/** One speech segment (an utterance) held until its final transcript. */
export interface Segment {
  id: string;
  kind: "client" | "server";
  state: SegmentState;
  chunks: Int16Array[];
  samples: number;
  /** Samples of this segment already appended on the current connection. */
  sentSamples: number;
  retries: number;
  itemId?: string;
  partial: string;
  /** `performance.now()` at speech end. */
  endedAt?: number;
  /** The speech end → commit latency was reported (only the first commit counts). */
  commitTraced?: boolean;
  /** Server VAD: where the speech is in this connection's audio stream, in samples. */
  serverStart?: number;
  serverEnd?: number;
}

/** Options of {@linkcode SegmentStore}. */
export interface SegmentStoreOptions {
  wire: RealtimeWire;
  tracer: EdgeTracer;
  /** Live audio goes out in appends of at least this many samples. */
  batchSamples: number;
  /** @default 64 */
  maxHeldSegments?: number | undefined;
  /** @default 600_000 */
  maxHeldAudioMs?: number | undefined;
  /** A segment was dropped to stay within the bounds (it is already removed). */
  onDropped: (seg: Segment, reason: string) => void;
}

/** See the module documentation. */
export class SegmentStore {
  readonly #o: SegmentStoreOptions;
  /** Held segments in speech order. */
  #segments: Segment[] = [];
  /** Client VAD: the segment receiving audio. */
  #open: Segment | null = null;
  /** The segment whose audio is partly in the provider's input buffer. */
  #bufferOwner: Segment | null = null;
  /** Commits sent on this connection, waiting for `committed`, in order. */
  #awaitingCommit: Segment[] = [];
  #commitIds = new Map<string, Segment>();
  #byItem = new Map<string, Segment>();

  constructor(options: SegmentStoreOptions) {
    this.#o = options;
  }

  /** Segments not yet transcribed (the open one included). */
  get count(): number {
    return this.#segments.length;
  }

  /** Client VAD: the segment receiving audio, if any. */
  get open(): Segment | null {
    return this.#open;
  }

  /** Nothing held and nothing open. */
  isIdle(): boolean {
    return this.#segments.length === 0 && this.#open === null;
  }

  /** Ended segments waiting to be (re-)sent. */
  endedCount(): number {
    return this.#segments.filter((s) => s.state === "ended").length;
  }

  hasEnded(): boolean {
    return this.#segments.some((s) => s.state === "ended");
  }

  // ------------------------------------------------------------------ segment lifecycle

  /** Client VAD: opens a segment for the audio that follows. */
  begin(id: string): Segment {
    const seg = newSegment(id, "client");
    this.#segments.push(seg);
    this.#open = seg;
    this.#enforceBounds();
    return seg;
  }

  /** Adds resampled audio to `seg`; true when it may go out live (no other owns the buffer). */
  addAudio(seg: Segment, samples: Int16Array): boolean {
    seg.chunks.push(samples);
    seg.samples += samples.length;
    return this.#bufferOwner === seg || this.#bufferOwner === null;
  }

  /** True when no segment's audio is half in the provider's input buffer. */
  get bufferFree(): boolean {
    return this.#bufferOwner === null;
  }

  /**
   * Client VAD: closes the open segment at speech end. One without audio is removed; one
   * shorter than the API accepts is padded with silence (it does not change what was said).
   */
  end(endedAt: number): { seg: Segment; empty: boolean } | undefined {
    const seg = this.#open;
    if (!seg) return undefined;
    this.#open = null;
    if (seg.samples === 0) {
      this.remove(seg);
      return { seg, empty: true };
    }
    if (seg.samples < MIN_COMMIT_SAMPLES) {
      const pad = new Int16Array(MIN_COMMIT_SAMPLES - seg.samples);
      seg.chunks.push(pad);
      seg.samples += pad.length;
    }
    seg.state = "ended";
    seg.endedAt = endedAt;
    return { seg, empty: false };
  }

  /** Client VAD: drops the open segment, clearing its audio from the input buffer. */
  abandon(): Segment | undefined {
    const seg = this.#open;
    if (!seg) return undefined;
    this.#open = null;
    if (this.#bufferOwner === seg) {
      this.#o.wire.send(clearAudio(this.#o.wire.nextEventId("clear")));
      this.#bufferOwner = null;
    }
    this.remove(seg);
    return seg;
  }

  /** Server VAD: the provider heard speech start in item `itemId`. */
  beginServerTurn(id: string, itemId: string, startSamples: number): Segment {
    const seg = newSegment(id, "server");
    seg.serverStart = startSamples;
    this.#segments.push(seg);
    this.#byItem.set(itemId, seg);
    this.#enforceBounds();
    return seg;
  }

  /** Server VAD: the provider heard speech stop in item `itemId`. */
  stopServerTurn(itemId: string, endSamples: number, endedAt: number): void {
    const seg = this.#byItem.get(itemId);
    if (!seg) return;
    seg.serverEnd = endSamples;
    seg.endedAt = endedAt;
  }

  /** Server VAD: the turn the provider is still hearing, if any. */
  openServerTurn(): Segment | undefined {
    return this.#segments.find((s) => s.kind === "server" && s.state === "open");
  }

  /** The segment of a provider item. */
  byItem(itemId: string): Segment | undefined {
    return this.#byItem.get(itemId);
  }

  /** The segment of a commit event, for an error event that names it. */
  forCommit(eventId: string): Segment | undefined {
    return this.#commitIds.get(eventId);
  }

  /** The commit of `seg` will get no `committed`. */
  dropAwaiting(seg: Segment): void {
    const i = this.#awaitingCommit.indexOf(seg);
    if (i >= 0) this.#awaitingCommit.splice(i, 1);
  }

  /** The segment an `input_audio_buffer.committed` is for: by item, else the oldest commit. */
  committedSegment(itemId: string): Segment | undefined {
    const seg = this.#byItem.get(itemId);
    if (!seg) return this.#awaitingCommit.shift();
    this.dropAwaiting(seg);
    return seg;
  }

  /** Records that the provider committed `seg` as item `itemId`. */
  markCommitted(seg: Segment, itemId: string): void {
    seg.itemId = itemId;
    seg.state = "committed";
    this.#byItem.set(itemId, seg);
  }

  /** Its transcription failed: it is to be re-sent as a new item (or given up). */
  forgetItem(seg: Segment): void {
    if (seg.itemId) this.#byItem.delete(seg.itemId);
    delete seg.itemId;
  }

  /** Removes a segment for good and frees its audio. */
  remove(seg: Segment): void {
    const i = this.#segments.indexOf(seg);
    if (i >= 0) this.#segments.splice(i, 1);
    if (seg.itemId) this.#byItem.delete(seg.itemId);
    if (this.#bufferOwner === seg) this.#bufferOwner = null;
    if (this.#open === seg) this.#open = null;
    for (const [id, s] of this.#commitIds) if (s === seg) this.#commitIds.delete(id);
    seg.chunks = [];
  }

  // ------------------------------------------------------------------------- sending

  /** Sends audio of `seg` not yet on this connection; all of it when `all`, else whole batches. */
  sendAudio(seg: Segment, all: boolean): void {
    const unsent = seg.samples - seg.sentSamples;
    const batch = this.#o.batchSamples;
    if (unsent <= 0 || (!all && unsent < batch)) return;
    const maxPerAppend = all ? REPLAY_APPEND_SAMPLES : Math.max(batch, unsent);
    const pending = sliceChunks(seg.chunks, seg.sentSamples, seg.samples);
    for (let at = 0; at < pending.length; at += maxPerAppend) {
      this.#o.wire.appendSamples(
        pending.subarray(at, Math.min(pending.length, at + maxPerAppend)),
      );
    }
    seg.sentSamples = seg.samples;
    this.#bufferOwner = seg;
  }

  #commit(seg: Segment): void {
    const id = this.#o.wire.nextEventId("commit");
    this.#commitIds.set(id, seg);
    const sent = this.#o.wire.send(commitAudio(id));
    seg.state = "committing";
    this.#awaitingCommit.push(seg);
    if (this.#bufferOwner === seg) this.#bufferOwner = null;
    if (sent && seg.endedAt !== undefined && !seg.commitTraced) {
      seg.commitTraced = true;
      emitTrace(this.#o.tracer, {
        source: SOURCE,
        event: "realtime.commit_sent",
        utterance_id: seg.id,
        duration_ms: performance.now() - seg.endedAt,
        data: { audio_ms: seg.samples / SAMPLES_PER_MS },
      });
    }
  }

  /** Appends and commits every ended segment, whole, in speech order. */
  replayEnded(): void {
    for (const seg of this.#segments) {
      if (seg.state !== "ended") continue;
      seg.sentSamples = 0;
      this.sendAudio(seg, true);
      this.#commit(seg);
    }
  }

  /** Server VAD: replayed turns were committed by us; the input buffer is the provider's again. */
  releaseBuffer(): void {
    this.#bufferOwner = null;
  }

  /** Client VAD: moves every held segment as far as a ready connection allows, in order. */
  pump(): void {
    const owner = this.#bufferOwner;
    if (owner && owner.state === "ended") {
      this.sendAudio(owner, true);
      this.#commit(owner);
    } else if (owner) {
      // Another segment's audio is half in the input buffer: nothing can go in between.
      this.sendAudio(owner, false);
      return;
    }
    this.replayEnded();
    if (this.#open) this.sendAudio(this.#open, false);
  }

  /**
   * The connection is gone: everything in flight on it goes back to be re-sent on the next
   * one. A server turn the provider had not committed is dropped: it is heard again from the
   * re-sent stream.
   */
  requeue(): void {
    for (const seg of this.#segments) {
      if (seg.state === "committing" || seg.state === "committed") {
        seg.state = "ended";
        delete seg.itemId;
      }
      seg.sentSamples = 0;
    }
    this.#awaitingCommit = [];
    this.#commitIds.clear();
    this.#byItem.clear();
    this.#bufferOwner = null;
  }

  /** Server VAD: drops turns the provider had not committed (see {@linkcode requeue}). */
  dropOpenServerTurns(): void {
    this.#segments = this.#segments.filter((s) => !(s.kind === "server" && s.state === "open"));
  }

  #enforceBounds(): void {
    const maxSegments = this.#o.maxHeldSegments ?? 64;
    const maxSamples = (this.#o.maxHeldAudioMs ?? 600_000) * SAMPLES_PER_MS;
    const held = () => this.#segments.reduce((n, s) => n + s.samples, 0);
    while (this.#segments.length > maxSegments || held() > maxSamples) {
      const victim = this.#segments.find((s) => s !== this.#open && s.state !== "open");
      if (!victim) break;
      this.remove(victim);
      const reason = `dropped: more than ${maxSegments} segments or ${
        maxSamples / SAMPLES_PER_MS
      } ms of audio waiting for the Realtime API`;
      log.error("Segment {id} {reason}", { id: victim.id, reason });
      this.#o.onDropped(victim, reason);
    }
  }
}

function newSegment(id: string, kind: Segment["kind"]): Segment {
  return {
    id,
    kind,
    state: "open",
    chunks: [],
    samples: 0,
    sentSamples: 0,
    retries: 0,
    partial: "",
  };
}
