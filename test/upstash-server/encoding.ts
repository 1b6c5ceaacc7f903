import type { RespReply } from './resp-connection.js';

/**
 * A RESP2 reply as the Upstash REST API renders it in JSON. With `base64`, every string at every
 * depth is base64 of its bytes, except the status reply `OK` (the client passes `OK` through
 * as is); integers and nulls stay JSON; errors are never encoded.
 */
export function renderReply(reply: RespReply, base64: boolean): unknown {
  switch (reply.kind) {
    case 'status':
      return base64 && reply.value !== 'OK' ? Buffer.from(reply.value, 'utf8').toString('base64') : reply.value;
    case 'error':
      return reply.message;
    case 'integer':
      return reply.value;
    case 'bulk':
      if (reply.value === null) return null;
      return base64 ? reply.value.toString('base64') : reply.value.toString('utf8');
    case 'array':
      return reply.items === null ? null : reply.items.map((item) => renderReply(item, base64));
  }
}

/** One command's entry in a `/pipeline` or `/multi-exec` response. */
export function renderEntry(reply: RespReply, base64: boolean): { result: unknown } | { error: string } {
  return reply.kind === 'error' ? { error: reply.message } : { result: renderReply(reply, base64) };
}

const ALWAYS_BLOCKING = new Set([
  'BLPOP', 'BRPOP', 'BRPOPLPUSH', 'BLMOVE', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP',
  'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'MONITOR', 'WAIT', 'WAITAOF',
]);

/** True for a command that would hold the connection: blocking pops, `XREAD`/`XREADGROUP … BLOCK`, subscriptions. */
export function isBlockingCommand(args: readonly string[]): boolean {
  const name = (args[0] ?? '').toUpperCase();
  if (ALWAYS_BLOCKING.has(name)) return true;
  if (name !== 'XREAD' && name !== 'XREADGROUP') return false;
  for (const arg of args.slice(1)) {
    const upper = arg.toUpperCase();
    if (upper === 'STREAMS') return false;
    if (upper === 'BLOCK') return true;
  }
  return false;
}

/**
 * The refusal the server sends for a blocking command. The cloud's exact wording could not be
 * checked from here; clients must branch on the HTTP 400 + `error`, not on this text.
 */
export function blockingRefusal(args: readonly string[]): string {
  return `ERR blocking command ${(args[0] ?? '').toUpperCase()} is not supported over the REST API; use the non-blocking form`;
}

/**
 * Stringifies one command as the REST API does (`["SET","k",1]` sends `1`); `undefined` when the
 * body is not an array of strings, numbers or booleans.
 */
export function commandArgs(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const args: string[] = [];
  for (const value of raw) {
    if (typeof value === 'string') args.push(value);
    else if (typeof value === 'number' || typeof value === 'boolean') args.push(String(value));
    else return undefined;
  }
  return args;
}
