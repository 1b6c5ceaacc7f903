import { Command } from 'ioredis';
import type { StreamId } from '../../domain/stream-id.js';
import { bulkSize, writeAscii, writeBulkHeader } from './resp-bulk.js';

/** Bytes kept free before the body for the round's header (`*n`, `COUNT c`, `BLOCK ms`, `STREAMS`). */
const HEAD_ROOM = 128;
const DASH = 45;
const CR = 13;
const LF = 10;

/**
 * Encodes the multiplexed reader's rounds, `XREAD COUNT c BLOCK ms STREAMS k1..kn id1..idn` over
 * every topic of the process, straight into a buffer, and keeps it between rounds: a round only
 * rewrites the ids of the topics the reader says changed (a served topic's, in place when its
 * length is unchanged) and the header, so its cost follows the active topics, not the idle ones. ioredis would flatten the 2n+6 arguments into a
 * new array and build the request as a string four concatenations per argument: at 1,000 topics
 * ~300 KB of short-lived strings per round, several hundred rounds a second at token rate.
 *
 * A topic of the last round that has no reader this round keeps its slot with a same-length id
 * no entry written with `*` can pass (all nines), so a reader that is a moment late to come back
 * does not cost a rebuild; slots are rebuilt when too many are idle, when a topic is new, or after
 * {@link dropIdle} (a round returned entries for an idle slot: a foreign id beyond the nines).
 * The buffer is rewritten only for the next round, after the last one's reply: it is no longer
 * being written to the socket then.
 */
export class XReadEncoder {
  #segments = new Map<string, Buffer>();
  #wire: Buffer | undefined;
  readonly #topics: string[] = [];
  /** The id written in each slot, and where its text starts in `#wire`. */
  readonly #ids: string[] = [];
  readonly #idAt: number[] = [];
  readonly #idle: boolean[] = [];
  readonly #slotOf = new Map<string, number>();
  /** Slots not idle. */
  #present = 0;
  #forceRebuild = false;

  /** Topics whose key segment is held now (bounded by about twice the topics of the last round). */
  get cachedTopics(): number {
    return this.#segments.size;
  }

  /** Slots of the request in hand (the last round's topics, idle ones included). */
  get slots(): number {
    return this.#topics.length;
  }

  /** The next round is rebuilt without its idle slots. */
  dropIdle(): void {
    this.#forceRebuild = true;
  }

  /** A round went out another way (Redis Cluster's per-slot reads): the next one is rebuilt from its cursors. */
  invalidate(): void {
    this.#forceRebuild = true;
  }

  /**
   * The request for `cursors`; `changed` names every topic whose cursor may differ from the last
   * call's (added, moved or gone): the others are taken as they were.
   */
  encode(cursors: ReadonlyMap<string, StreamId>, changed: Iterable<string>, count: number, blockMs: number): Buffer {
    if (this.#forceRebuild || !this.#patch(cursors, changed)) this.#rebuild(cursors);
    this.#forceRebuild = false;
    const wire = this.#wire!;
    const head = `*${2 * this.#topics.length + 6}\r\n$5\r\nXREAD\r\n$5\r\nCOUNT\r\n${bulk(String(count))}$5\r\nBLOCK\r\n${bulk(String(blockMs))}$7\r\nSTREAMS\r\n`;
    const start = HEAD_ROOM - head.length;
    wire.write(head, start, 'latin1');
    return wire.subarray(start);
  }

  /** Rewrites the ids of the `changed` topics in the request in hand; false when it cannot serve `cursors` so. */
  #patch(cursors: ReadonlyMap<string, StreamId>, changed: Iterable<string>): boolean {
    const wire = this.#wire;
    if (wire === undefined) return false;
    const ids = this.#ids;
    for (const topic of changed) {
      const slot = this.#slotOf.get(topic);
      let id = cursors.get(topic);
      if (slot === undefined) {
        if (id === undefined) continue;
        return false; // a topic the request does not hold yet
      }
      if (id !== undefined) {
        if (this.#idle[slot]) {
          this.#idle[slot] = false;
          this.#present++;
        }
      } else if (this.#idle[slot]) continue;
      else {
        const unreachable = unreachableLike(ids[slot]!);
        if (unreachable === undefined) return false;
        id = unreachable;
        this.#idle[slot] = true;
        this.#present--;
      }
      const held = ids[slot]!;
      if (id === held) continue;
      if (id.length !== held.length) return false;
      writeAscii(wire, this.#idAt[slot]!, id);
      ids[slot] = id;
    }
    // mostly idle slots: rebuild without them
    return this.#topics.length - this.#present <= Math.max(256, this.#present);
  }

  #rebuild(cursors: ReadonlyMap<string, StreamId>): void {
    const topics = this.#topics;
    const ids = this.#ids;
    topics.length = 0;
    ids.length = 0;
    this.#idAt.length = 0;
    this.#idle.length = 0;
    this.#slotOf.clear();
    let size = HEAD_ROOM;
    for (const [topic, id] of cursors) {
      this.#slotOf.set(topic, topics.length);
      topics.push(topic);
      ids.push(id);
      this.#idle.push(false);
      size += this.#segment(topic).length + bulkSize(id.length);
    }
    const wire = Buffer.allocUnsafe(size);
    let at = HEAD_ROOM;
    for (const topic of topics) {
      const segment = this.#segments.get(topic)!;
      wire.set(segment, at);
      at += segment.length;
    }
    for (const id of ids) {
      at = writeBulkHeader(wire, at, id.length);
      this.#idAt.push(at);
      at = writeAscii(wire, at, id);
      wire[at++] = CR;
      wire[at++] = LF;
    }
    this.#wire = wire;
    this.#present = topics.length;
    if (this.#segments.size > 2 * cursors.size + 1_024) this.#forgetAllBut(cursors);
  }

  #segment(topic: string): Buffer {
    let segment = this.#segments.get(topic);
    if (segment === undefined) {
      segment = Buffer.from(`$${Buffer.byteLength(topic)}\r\n${topic}\r\n`);
      this.#segments.set(topic, segment);
    }
    return segment;
  }

  /** Drops the segments of topics no longer read (keeps the cache bounded by the topics read now). */
  #forgetAllBut(cursors: ReadonlyMap<string, StreamId>): void {
    const kept = new Map<string, Buffer>();
    for (const topic of cursors.keys()) kept.set(topic, this.#segments.get(topic)!);
    this.#segments = kept;
  }
}

/** An `XREAD` whose request is a prebuilt buffer (see {@link XReadEncoder}); replies as `call()` gives them (utf8 strings). */
export class XReadCommand extends Command {
  readonly #wire: Buffer;
  readonly #blockMs: number;

  constructor(wire: Buffer, blockMs: number) {
    super('xread', [], { replyEncoding: 'utf8' });
    this.#wire = wire;
    this.#blockMs = blockMs;
  }

  override toWritable(): Buffer {
    return this.#wire;
  }

  override extractBlockingTimeout(): number {
    return this.#blockMs;
  }
}

/**
 * An id as long as `id` that no entry appended with `*` reaches: every digit a nine, when its
 * `ms` part has the 13 digits of today's clock (9999999999999 ms is in the year 2286); reading
 * after it returns nothing. `undefined` for a shorter `ms` part (`0-0`: nines would be in the past).
 */
function unreachableLike(id: string): string | undefined {
  if (id.indexOf('-') < 13) return undefined;
  let out = '';
  for (let i = 0; i < id.length; i++) out += id.charCodeAt(i) === DASH ? '-' : '9';
  return out;
}

function bulk(ascii: string): string {
  return `$${ascii.length}\r\n${ascii}\r\n`;
}
