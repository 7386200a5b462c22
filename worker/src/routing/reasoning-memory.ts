/**
 * The reasoning a provider signed for a tool-calling turn, remembered by the gateway for clients
 * that cannot carry it back: an OpenAI Chat client has no slot for an Anthropic thinking block
 * (text + signature) or `redacted_thinking` data, and replays the turn with only `content` and
 * `tool_calls`. Anthropic wants the signed thinking blocks of the assistant turn a tool loop
 * continues from ("Extended thinking" → "Preserving thinking blocks": during tool use the last
 * assistant turn's thinking blocks must be passed back unmodified), else thinking must be turned
 * off for that request.
 *
 * One `ReasoningMemory` is held with each group's routing state (edge: GroupObject, Node:
 * GroupHolder). An entry is keyed by the client key it was answered to and the tool call ids the
 * upstream issued in that turn, in order; it is found again only by that key with the exact same
 * ids (the client's replayed turn). Bounded: at most
 * `maxEntries` entries and `maxBytes` serialised bytes (the oldest go first), entries older than
 * `ttlMs` are gone, a single entry above `maxEntryBytes` or a key above MAX_KEY_CHARS is not kept.
 * Pure data and logic (no runtime imports); the holders persist `entries()`.
 */
import type { ReasoningPart } from '../protocols/canonical';

/** A tool-calling turn's reasoning, as the relay hands it to the holder. */
export interface ReasoningTurn {
  /**
   * The client key the answer went to: only its own requests recall it (a tool call id seen by
   * another client must not pull this conversation's reasoning into that client's request).
   */
  owner: number;
  /** The tool call ids the upstream issued in the turn, in order (canonical ids, as the client sees them). */
  toolCallIds: string[];
  /** The turn's reasoning parts in order, each with its provider's signature or redacted data. */
  parts: ReasoningPart[];
}

/** One remembered turn, as stored. */
export interface ReasoningEntry {
  /** `turnKey(owner, toolCallIds)`. */
  key: string;
  /** When it was remembered, ms since epoch. */
  at: number;
  /** Serialised size: UTF-8 bytes of the JSON of `parts`, plus the key's length. */
  bytes: number;
  parts: ReasoningPart[];
}

/** Limits of one group's memory. */
export interface ReasoningMemoryLimits {
  maxEntries: number;
  /** Sum of the entries' `bytes`. */
  maxBytes: number;
  /** Largest single entry, bytes. */
  maxEntryBytes: number;
  /** How long an entry lives, ms. */
  ttlMs: number;
}

/**
 * Defaults: a tool loop's next turn comes seconds to minutes later, and an agent may pause for a
 * while; 6 hours covers a working session. 2 MiB and 512 entries per group keep a holder's memory
 * and its persisted copy small (Node writes it as one settings row); one entry holds up to a
 * 32k-token thinking block (~128 KiB of text) with room to spare.
 */
export const DEFAULT_REASONING_LIMITS: ReasoningMemoryLimits = {
  maxEntries: 512,
  maxBytes: 2 * 1024 * 1024,
  maxEntryBytes: 512 * 1024,
  ttlMs: 6 * 60 * 60 * 1000,
};

const utf8 = new TextEncoder();

/** Longest key kept (the joined tool call ids): an edge storage key must stay well under 2 KiB. */
export const MAX_KEY_CHARS = 1000;

/** The key of a client key's turn with these tool call ids: order matters, as in the turn. */
export function turnKey(owner: number, toolCallIds: readonly string[]): string {
  return [String(owner), ...toolCallIds].join('\n');
}

/** What `remember` changed, so a holder can mirror it in its storage. */
export interface RememberResult {
  /** The entry stored, or null when the turn was not kept (no ids, no parts, too large). */
  stored: ReasoningEntry | null;
  /** Keys that left the memory (expired, or evicted for room); never the stored entry's key. */
  removed: string[];
}

export class ReasoningMemory {
  /** Oldest first (Map keeps insertion order; a re-remembered key moves to the end). */
  private readonly byKey = new Map<string, ReasoningEntry>();
  private bytes = 0;
  /** Changed since `markClean` (Node persists when dirty). */
  dirty = false;

  constructor(readonly limits: ReasoningMemoryLimits = DEFAULT_REASONING_LIMITS) {}

  /** A memory holding `entries` (persisted earlier), minus the expired ones and whatever exceeds the limits. */
  static from(entries: readonly ReasoningEntry[], now: number, limits: ReasoningMemoryLimits = DEFAULT_REASONING_LIMITS): ReasoningMemory {
    const m = new ReasoningMemory(limits);
    for (const e of [...entries].filter(validEntry).sort((a, b) => a.at - b.at)) m.put(e);
    m.expire(now);
    m.makeRoom(0);
    m.dirty = false;
    return m;
  }

  /** Entries oldest first (to persist). */
  entries(): ReasoningEntry[] {
    return [...this.byKey.values()];
  }

  /** Number of entries and their total bytes. */
  size(): { entries: number; bytes: number } {
    return { entries: this.byKey.size, bytes: this.bytes };
  }

  /** Remembers a turn's reasoning, evicting expired then oldest entries to stay within the limits. */
  remember(turn: ReasoningTurn, now: number): RememberResult {
    const removed = this.expire(now);
    const key = turnKey(turn.owner, turn.toolCallIds);
    if (turn.toolCallIds.length === 0 || turn.parts.length === 0 || key.length > MAX_KEY_CHARS) return { stored: null, removed };
    const bytes = utf8.encode(JSON.stringify(turn.parts)).byteLength + key.length;
    if (bytes > this.limits.maxEntryBytes || bytes > this.limits.maxBytes) return { stored: null, removed };
    // A turn remembered again (a retried request) replaces its entry and becomes the newest.
    this.drop(key);
    removed.push(...this.makeRoom(bytes));
    const entry: ReasoningEntry = { key, at: now, bytes, parts: turn.parts };
    this.put(entry);
    this.dirty = true;
    return { stored: entry, removed };
  }

  /** The reasoning parts remembered for this client key and exactly these tool call ids, if still alive. */
  recall(owner: number, toolCallIds: readonly string[], now: number): ReasoningPart[] | undefined {
    const e = this.byKey.get(turnKey(owner, toolCallIds));
    if (!e || now - e.at > this.limits.ttlMs) return undefined;
    return e.parts;
  }

  /** Drops expired entries. @returns their keys. */
  expire(now: number): string[] {
    const gone: string[] = [];
    for (const e of this.byKey.values()) {
      // Oldest first: the first live entry ends the scan.
      if (now - e.at <= this.limits.ttlMs) break;
      gone.push(e.key);
    }
    for (const k of gone) this.drop(k);
    if (gone.length > 0) this.dirty = true;
    return gone;
  }

  private put(e: ReasoningEntry): void {
    this.byKey.set(e.key, e);
    this.bytes += e.bytes;
  }

  private drop(key: string): void {
    const e = this.byKey.get(key);
    if (!e) return;
    this.byKey.delete(key);
    this.bytes -= e.bytes;
  }

  /** Evicts the oldest entries until `incoming` more bytes and one more entry fit. */
  private makeRoom(incoming: number): string[] {
    const gone: string[] = [];
    const extra = incoming > 0 ? 1 : 0;
    for (const e of this.byKey.values()) {
      if (this.byKey.size - gone.length + extra <= this.limits.maxEntries && this.bytes + incoming <= this.limits.maxBytes) break;
      gone.push(e.key);
      this.bytes -= e.bytes;
    }
    for (const k of gone) this.byKey.delete(k);
    if (gone.length > 0) this.dirty = true;
    return gone;
  }
}

/** A persisted entry read back is only trusted in shape (storage written by this module). */
function validEntry(e: unknown): e is ReasoningEntry {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Partial<ReasoningEntry>;
  return typeof r.key === 'string' && typeof r.at === 'number' && typeof r.bytes === 'number' && Array.isArray(r.parts);
}
