import { nextStreamId, parseStreamId, ZERO_ID } from '../../domain/stream-id.js';
import type { StreamId } from '../../domain/stream-id.js';
import type { EntryFields, StreamEntry } from '../../ports/stream-repository.js';
import { intElementBytes, LISTPACK_EMPTY_BYTES, stringElementBytes, utf8Length } from './listpack-size.js';

/** Where Redis cuts a stream into radix-tree nodes (`stream-node-max-entries`, `stream-node-max-bytes`). */
export interface NodeLimits {
  /** Entries per node; 0 = unlimited. */
  readonly nodeMaxEntries: number;
  /** Listpack bytes per node; 0 = Redis's hard cap of 1 GiB. */
  readonly nodeMaxBytes: number;
}

interface StoredEntry {
  readonly ms: bigint;
  readonly seq: bigint;
  /** Frozen, handed out as is: callers cannot change what is stored. */
  readonly entry: StreamEntry;
}

interface StreamNode {
  readonly masterMs: bigint;
  readonly masterSeq: bigint;
  readonly masterFields: readonly string[];
  readonly entries: StoredEntry[];
  /** Size the node's listpack would have in Redis. */
  bytes: number;
}

/** Redis `STREAM_LISTPACK_MAX_SIZE`. */
const LISTPACK_MAX_SIZE = 1 << 30;
const FLAG_SAMEFIELDS = 2;

/**
 * One stream, laid out the way Redis 7.0 lays it out (`t_stream.c`): entries grouped in macro
 * nodes, a new node started when the tail node holds `nodeMaxEntries` entries or when
 * `listpack bytes + raw field/value bytes >= nodeMaxBytes`, and `MAXLEN ~` trimming that drops
 * only whole nodes from the head. The listpack size is computed element by element (integer
 * encodings, string headers, back-lengths, the master entry, same-fields compression), so node
 * boundaries, and with them the lengths after trimming, match a real server.
 */
export class StreamLog {
  readonly #limits: NodeLimits;
  readonly #nodes: StreamNode[] = [];
  #length = 0;
  #lastId: StreamId = ZERO_ID;
  #entriesAdded = 0;

  constructor(limits: NodeLimits) {
    this.#limits = limits;
  }

  /** Entries held. */
  get length(): number {
    return this.#length;
  }

  /** Newest id ever assigned (Redis `last-generated-id`), kept across trims. */
  get lastId(): StreamId {
    return this.#lastId;
  }

  /** Entries ever appended (Redis `entries-added`). */
  get entriesAdded(): number {
    return this.#entriesAdded;
  }

  /** Oldest retained id, `0-0` when empty. */
  get firstId(): StreamId {
    return this.#nodes[0]?.entries[0]?.entry.id ?? ZERO_ID;
  }

  /** Radix-tree nodes (Redis `radix-tree-keys`). */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /** Appends one entry with an id derived from `nowMs` (as `XADD key * ...`); returns the id. */
  append(fields: EntryFields, nowMs: number): StreamId {
    const id = nextStreamId(this.#lastId, nowMs);
    const { ms, seq } = parseStreamId(id);
    const names = Object.keys(fields);
    const values = names.map((name) => fields[name] as string);
    const nameLengths = names.map(utf8Length);
    const valueLengths = values.map(utf8Length);
    let rawBytes = 0;
    for (let i = 0; i < names.length; i++) rawBytes += nameLengths[i]! + valueLengths[i]!;

    let node = this.#nodes[this.#nodes.length - 1];
    if (node !== undefined && this.#isFull(node, rawBytes)) node = undefined;
    let sameFields: boolean;
    if (node === undefined) {
      let bytes = LISTPACK_EMPTY_BYTES + intElementBytes(1) + intElementBytes(0) + intElementBytes(names.length);
      for (let i = 0; i < names.length; i++) bytes += stringElementBytes(names[i]!, nameLengths[i]!);
      bytes += intElementBytes(0);
      node = { masterMs: ms, masterSeq: seq, masterFields: names, entries: [], bytes };
      this.#nodes.push(node);
      sameFields = true;
    } else {
      const count = node.entries.length;
      node.bytes += intElementBytes(count + 1) - intElementBytes(count);
      sameFields = names.length === node.masterFields.length && names.every((name, i) => name === node!.masterFields[i]);
    }

    let bytes = intElementBytes(sameFields ? FLAG_SAMEFIELDS : 0);
    bytes += intElementBytes(ms - node.masterMs) + intElementBytes(seq - node.masterSeq);
    if (!sameFields) bytes += intElementBytes(names.length);
    for (let i = 0; i < names.length; i++) {
      if (!sameFields) bytes += stringElementBytes(names[i]!, nameLengths[i]!);
      bytes += stringElementBytes(values[i]!, valueLengths[i]!);
    }
    bytes += intElementBytes(names.length + 3 + (sameFields ? 0 : names.length + 1));
    node.bytes += bytes;

    node.entries.push({ ms, seq, entry: Object.freeze({ id, fields }) });
    this.#length++;
    this.#entriesAdded++;
    this.#lastId = id;
    return id;
  }

  /**
   * `MAXLEN ~ maxLen` as `streamTrim` does it: drops head nodes while the stream keeps at least
   * `maxLen` entries without them, stops at the first node that cannot go whole, and removes at
   * most `100 * nodeMaxEntries` (capped at 10000) entries per call, the default `LIMIT` of an
   * approximate trim. Returns how many entries were removed.
   */
  trimApprox(maxLen: number): number {
    let limit = 100 * this.#limits.nodeMaxEntries;
    if (limit <= 0 || limit > 10_000) limit = 10_000;
    let deleted = 0;
    let drop = 0;
    for (const node of this.#nodes) {
      if (this.#length <= maxLen) break;
      const entries = node.entries.length;
      if (deleted + entries > limit) break;
      if (this.#length - entries < maxLen) break;
      this.#length -= entries;
      deleted += entries;
      drop++;
    }
    if (drop > 0) this.#nodes.splice(0, drop);
    return deleted;
  }

  /** Up to `count` entries (0 = all) with id strictly after `afterMs-afterSeq`, oldest first. */
  readAfter(afterMs: bigint, afterSeq: bigint, count: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    const limit = count > 0 ? count : Number.POSITIVE_INFINITY;
    let n = this.#firstNodeAfter(afterMs, afterSeq);
    for (; n < this.#nodes.length && out.length < limit; n++) {
      const entries = this.#nodes[n]!.entries;
      let i = firstIndexAfter(entries, afterMs, afterSeq);
      for (; i < entries.length && out.length < limit; i++) out.push(entries[i]!.entry);
    }
    return out;
  }

  #isFull(node: StreamNode, rawBytes: number): boolean {
    let maxBytes = this.#limits.nodeMaxBytes;
    if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
    if (node.bytes + rawBytes >= maxBytes) return true;
    const maxEntries = this.#limits.nodeMaxEntries;
    return maxEntries > 0 && node.entries.length >= maxEntries;
  }

  /** Index of the first node whose newest entry is after the given id. */
  #firstNodeAfter(ms: bigint, seq: bigint): number {
    let lo = 0;
    let hi = this.#nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const entries = this.#nodes[mid]!.entries;
      const last = entries[entries.length - 1]!;
      if (isAfter(last, ms, seq)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function isAfter(entry: StoredEntry, ms: bigint, seq: bigint): boolean {
  return entry.ms > ms || (entry.ms === ms && entry.seq > seq);
}

function firstIndexAfter(entries: readonly StoredEntry[], ms: bigint, seq: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAfter(entries[mid]!, ms, seq)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
