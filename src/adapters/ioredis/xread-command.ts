import { Command } from 'ioredis';
import type { StreamId } from '../../domain/stream-id.js';

/**
 * `XREAD COUNT c BLOCK ms STREAMS k1..kn id1..idn` encoded straight into one buffer, for the
 * multiplexed reader's rounds over every topic of the process. ioredis would flatten the 2n+6
 * arguments into a new array and build the request as a string four concatenations per argument:
 * at 1,000 topics that was ~300 KB of short-lived strings for ~50 KB on the wire, every round.
 * Each topic's `$<bytes>\r\n<key>\r\n` is encoded once and reused while the topic is read.
 */
export class XReadEncoder {
  #segments = new Map<string, Buffer>();
  /** Reused across rounds: the segments of the round being encoded. */
  readonly #scratch: Buffer[] = [];

  /** Topics whose key segment is held now (bounded by about twice the topics of the last round). */
  get cachedTopics(): number {
    return this.#segments.size;
  }

  encode(cursors: ReadonlyMap<string, StreamId>, count: number, blockMs: number): Buffer {
    const head = `*${2 * cursors.size + 6}\r\n$5\r\nXREAD\r\n$5\r\nCOUNT\r\n${bulk(String(count))}$5\r\nBLOCK\r\n${bulk(String(blockMs))}$7\r\nSTREAMS\r\n`;
    const scratch = this.#scratch;
    let size = head.length;
    let n = 0;
    for (const [topic, id] of cursors) {
      const segment = this.#segment(topic);
      scratch[n++] = segment;
      size += segment.length + bulkSize(id.length);
    }
    const wire = Buffer.allocUnsafe(size);
    let at = wire.write(head, 0, 'latin1');
    for (let i = 0; i < n; i++) {
      wire.set(scratch[i]!, at);
      at += scratch[i]!.length;
    }
    // Stream ids are ASCII (digits and one dash): one byte per character.
    for (const id of cursors.values()) at = writeAsciiBulk(wire, at, id);
    scratch.length = 0;
    if (this.#segments.size > 2 * cursors.size + 1_024) this.#forgetAllBut(cursors);
    return wire;
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

function bulk(ascii: string): string {
  return `$${ascii.length}\r\n${ascii}\r\n`;
}

/** Bytes of a bulk string of `length` bytes: `$`, the length's digits (a stream id has at most 41 characters), CRLF, the text, CRLF. */
function bulkSize(length: number): number {
  return 1 + (length < 10 ? 1 : length < 100 ? 2 : 3) + 2 + length + 2;
}

const DOLLAR = 36;
const CR = 13;
const LF = 10;
const ZERO = 48;

function writeAsciiBulk(wire: Buffer, at: number, text: string): number {
  const length = text.length;
  wire[at++] = DOLLAR;
  if (length >= 10) {
    if (length >= 100) wire[at++] = ZERO + Math.floor(length / 100);
    wire[at++] = ZERO + (Math.floor(length / 10) % 10);
  }
  wire[at++] = ZERO + (length % 10);
  wire[at++] = CR;
  wire[at++] = LF;
  for (let i = 0; i < length; i++) wire[at++] = text.charCodeAt(i);
  wire[at++] = CR;
  wire[at++] = LF;
  return at;
}
