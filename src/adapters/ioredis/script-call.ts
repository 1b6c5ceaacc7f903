import { Command, type Redis } from 'ioredis';
import { bulkSize, writeBulk } from './resp-bulk.js';

/** Bytes kept free before a call's arguments for its `EVALSHA` header. */
const HEAD_ROOM = 80;

/** Sends one call of a script: its keys, then its arguments; resolves with the raw reply. */
export type SendScriptCall = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/**
 * Sends calls of `lua` on `client` with the request encoded straight into one buffer: ioredis
 * builds a request as a string, four concatenations per argument, and a multi-append call has
 * hundreds of arguments. Like ioredis's own script commands, each socket gets the script as
 * `EVAL` with its first call (so it is loaded with no `NOSCRIPT` round trip, on every new socket
 * after a reconnect too) and `EVALSHA` after; a `NOSCRIPT` (someone ran `SCRIPT FLUSH`) re-sends
 * that call as `EVAL`. Replies are as `call()` gives them (strings). The calls sent in one tick
 * leave in one socket write (the socket is corked until the next tick), as auto-pipelining would.
 */
export function scriptSender(client: Redis, lua: string, sha: string): SendScriptCall {
  const loaded = new WeakSet<object>();
  const evalHead = (count: number): Buffer => Buffer.from(`*${count + 2}\r\n$4\r\nEVAL\r\n$${Buffer.byteLength(lua)}\r\n${lua}\r\n`);
  // The calls of one flush leave in one socket write: the socket is corked until the next tick.
  let corked = false;
  const uncork = (stream: { uncork(): void }): void => {
    corked = false;
    stream.uncork();
  };
  return (keys, args) => {
    const body = encodeCall(keys, args);
    const first = new ScriptCall(body, sha, evalHead, loaded);
    const stream = client.stream as { cork?: () => void; uncork(): void } | undefined;
    if (!corked && client.status === 'ready' && typeof stream?.cork === 'function') {
      corked = true;
      stream.cork();
      process.nextTick(uncork, stream);
    }
    void client.sendCommand(first);
    return first.promise.catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      if (first.socket !== undefined) loaded.delete(first.socket);
      const again = new ScriptCall(body, sha, evalHead, loaded);
      void client.sendCommand(again);
      return again.promise;
    });
  };
}

/** The call's arguments after the script: `numkeys`, the keys, the arguments, as RESP bulk strings after {@link HEAD_ROOM} free bytes. */
export interface EncodedCall {
  readonly wire: Buffer;
  /** Bulk strings in the body (`numkeys` included). */
  readonly count: number;
}

/** @internal One script call, written as `EVAL` or `EVALSHA` depending on its socket (exported for tests). */
export class ScriptCall extends Command {
  readonly #call: EncodedCall;
  readonly #sha: string;
  readonly #evalHead: (count: number) => Buffer;
  readonly #loaded: WeakSet<object>;
  /** The socket the call was last written to. */
  socket: object | undefined;

  constructor(call: EncodedCall, sha: string, evalHead: (count: number) => Buffer, loaded: WeakSet<object>) {
    super('evalsha', [], { replyEncoding: 'utf8' });
    this.#call = call;
    this.#sha = sha;
    this.#evalHead = evalHead;
    this.#loaded = loaded;
  }

  override toWritable(socket: object): Buffer {
    this.socket = socket;
    const { wire, count } = this.#call;
    if (!this.#loaded.has(socket)) {
      this.#loaded.add(socket);
      this.name = 'eval';
      return Buffer.concat([this.#evalHead(count), wire.subarray(HEAD_ROOM)]);
    }
    this.name = 'evalsha';
    const head = `*${count + 2}\r\n$7\r\nEVALSHA\r\n$${this.#sha.length}\r\n${this.#sha}\r\n`;
    const start = HEAD_ROOM - head.length;
    wire.write(head, start, 'latin1');
    return wire.subarray(start);
  }
}

/** Reused between calls: each argument's byte length, from the sizing pass to the writing pass. */
const lengths: number[] = [];

/** @internal The call's `numkeys`, keys and arguments, encoded (exported for tests). */
export function encodeCall(keys: readonly string[], args: readonly (string | number)[]): EncodedCall {
  const numKeys = String(keys.length);
  let size = HEAD_ROOM + bulkSize(numKeys.length);
  let n = 0;
  for (const key of keys) size += bulkSize((lengths[n++] = Buffer.byteLength(key)));
  for (const arg of args) size += bulkSize((lengths[n++] = typeof arg === 'string' ? Buffer.byteLength(arg) : String(arg).length));
  const wire = Buffer.allocUnsafe(size);
  let at = writeBulk(wire, HEAD_ROOM, numKeys, numKeys.length);
  n = 0;
  for (const key of keys) at = writeBulk(wire, at, key, lengths[n++]!);
  for (const arg of args) at = writeBulk(wire, at, typeof arg === 'string' ? arg : String(arg), lengths[n++]!);
  return { wire, count: 1 + keys.length + args.length };
}
