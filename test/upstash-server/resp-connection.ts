import { Socket, connect } from 'node:net';

/** A RESP2 reply, kept exact: bulk strings as bytes, status replies apart from bulk strings. */
export type RespReply =
  | { readonly kind: 'status'; readonly value: string }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'bulk'; readonly value: Buffer | null }
  | { readonly kind: 'array'; readonly items: readonly RespReply[] | null };

interface Pending {
  resolve(reply: RespReply): void;
  reject(err: Error): void;
}

const CRLF = Buffer.from('\r\n');

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `offset`; `undefined` when the buffer does not hold a whole reply yet. */
function parseReply(buf: Buffer, offset: number): { reply: RespReply; next: number } | undefined {
  const lineEnd = buf.indexOf(CRLF, offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: { kind: 'status', value: line }, next: after };
    case '-':
      return { reply: { kind: 'error', message: line }, next: after };
    case ':':
      return { reply: { kind: 'integer', value: Number(line) }, next: after };
    case '$': {
      const len = Number(line);
      if (len < 0) return { reply: { kind: 'bulk', value: null }, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { reply: { kind: 'bulk', value: Buffer.from(buf.subarray(after, after + len)) }, next: after + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: { kind: 'array', items: null }, next: after };
      const items: RespReply[] = [];
      let pos = after;
      for (let i = 0; i < count; i++) {
        const parsed = parseReply(buf, pos);
        if (parsed === undefined) return undefined;
        items.push(parsed.reply);
        pos = parsed.next;
      }
      return { reply: { kind: 'array', items }, next: pos };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/**
 * One raw RESP2 connection to redis-server. Replies come back in command order, so concurrent
 * callers share it safely, and a group written with one `send` (MULTI … EXEC) stays contiguous.
 */
export class RespConnection {
  readonly #socket: Socket;
  readonly #pending: Pending[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => this.#failAll(new Error('redis connection closed')));
    socket.on('error', (err) => this.#failAll(err));
  }

  static async open(host: string, port: number): Promise<RespConnection> {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RespConnection(socket);
  }

  /** Sends the commands in one write and resolves with one reply per command. */
  send(commands: readonly (readonly (string | Buffer)[])[]): Promise<RespReply[]> {
    if (this.#closed) return Promise.reject(new Error('redis connection closed'));
    const replies = commands.map(
      () =>
        new Promise<RespReply>((resolve, reject) => {
          this.#pending.push({ resolve, reject });
        }),
    );
    this.#socket.write(Buffer.concat(commands.map((c) => encodeCommand(c))));
    return Promise.all(replies);
  }

  /** False once closed, by either side. */
  get open(): boolean {
    return !this.#closed;
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let offset = 0;
    for (;;) {
      if (offset >= this.#buffer.length) break;
      const parsed = parseReply(this.#buffer, offset);
      if (parsed === undefined) break;
      offset = parsed.next;
      this.#pending.shift()?.resolve(parsed.reply);
    }
    this.#buffer = offset === 0 ? this.#buffer : Buffer.from(this.#buffer.subarray(offset));
  }

  #failAll(err: Error): void {
    this.#closed = true;
    for (const p of this.#pending.splice(0)) p.reject(err);
  }
}
