import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { settingsFromEnv } from '../domain/config.js';
import { TaskStreamError } from '../domain/errors.js';
import { urlSecrets } from '../domain/redaction.js';
import { requireIntegerArgument } from '../domain/validation.js';
import { isAuthError, toTaskStreamError } from '../adapters/ioredis/errors.js';
import type { CliIo } from './io.js';

const HELP = `usage: taskstream inspect [--url redis://...] [--prefix task:] [--top 10] [--json] [--fail-on-no-ttl]

Lists the task streams in a Redis without blocking it (SCAN with TYPE stream, never KEYS):
how many exist, their lengths, and which have no TTL (streams that will never be cleaned up).

  --url URL          Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --prefix PREFIX    task stream key prefix (default: $TASKSTREAM_KEY_PREFIX, else "task:")
  --top N            longest streams and streams without TTL to list (default 10)
  --scan-count N     SCAN COUNT hint per call (default 1000)
  --json             print one JSON object instead of text
  --fail-on-no-ttl   exit with status 3 when any stream has no TTL
`;

/** What `inspect` found. */
export interface InspectReport {
  readonly prefix: string;
  readonly streams: number;
  readonly totalEntries: number;
  readonly maxLength: number;
  readonly withoutTtl: number;
  readonly longest: readonly { key: string; length: number; ttlMs: number | null }[];
  readonly withoutTtlKeys: readonly string[];
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Scans `client` for streams under `prefix` and summarises them, `top` of each list kept. */
export async function inspectStreams(client: Redis, prefix: string, top: number, scanCount: number): Promise<InspectReport> {
  let cursor = '0';
  let streams = 0;
  let totalEntries = 0;
  let maxLength = 0;
  let withoutTtl = 0;
  const longest: { key: string; length: number; ttlMs: number | null }[] = [];
  const withoutTtlKeys: string[] = [];
  do {
    const [next, keys] = (await client.call('SCAN', cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', scanCount, 'TYPE', 'stream')) as [string, string[]];
    cursor = String(next);
    if (keys.length === 0) continue;
    const pipeline = client.pipeline();
    for (const key of keys) pipeline.xlen(key).pttl(key);
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const length = Number(replies[2 * i]?.[1] ?? 0);
      const pttl = Number(replies[2 * i + 1]?.[1] ?? -2);
      if (pttl === -2) return; // expired or deleted between SCAN and XLEN
      streams++;
      totalEntries += length;
      maxLength = Math.max(maxLength, length);
      const ttlMs = pttl >= 0 ? pttl : null;
      if (ttlMs === null) {
        withoutTtl++;
        if (withoutTtlKeys.length < top) withoutTtlKeys.push(key);
      }
      longest.push({ key, length, ttlMs });
      longest.sort((a, b) => b.length - a.length);
      if (longest.length > top) longest.pop();
    });
  } while (cursor !== '0');
  return { prefix, streams, totalEntries, maxLength, withoutTtl, longest, withoutTtlKeys };
}

function formatText(report: InspectReport): string {
  const lines = [
    `task streams under "${report.prefix}": ${report.streams}`,
    `entries: ${report.totalEntries} total, ${report.streams === 0 ? 0 : Math.round(report.totalEntries / report.streams)} average, ${report.maxLength} max`,
    `without TTL: ${report.withoutTtl}${report.withoutTtl > 0 ? '  <- never cleaned up; check REDIS_STREAM_TTL_SECONDS' : ''}`,
  ];
  if (report.withoutTtlKeys.length > 0) {
    lines.push('', 'streams without TTL:');
    for (const key of report.withoutTtlKeys) lines.push(`  ${key}`);
  }
  if (report.longest.length > 0) {
    lines.push('', 'longest streams:');
    for (const s of report.longest) lines.push(`  ${String(s.length).padStart(8)}  ${s.ttlMs === null ? 'no TTL ' : `${Math.ceil(s.ttlMs / 1000)}s`.padEnd(7)}  ${s.key}`);
  }
  return `${lines.join('\n')}\n`;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return requireIntegerArgument(`--${name}`, Number.isNaN(value) ? raw : value, 1);
}

const OPTIONS = {
  url: { type: 'string' },
  prefix: { type: 'string' },
  top: { type: 'string' },
  'scan-count': { type: 'string' },
  json: { type: 'boolean', default: false },
  'fail-on-no-ttl': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseOptions(argv: string[]): ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>> {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true });
  } catch (err) {
    throw new TaskStreamError('INVALID_ARGUMENT', `${err instanceof Error ? err.message : String(err)}\n\n${HELP}`, { cause: err });
  }
}

/** `taskstream inspect`: see {@link HELP}. Resolves with the exit code. */
export async function runInspect(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(argv);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const url = values.url ?? io.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = values.prefix ?? settingsFromEnv(io.env).keyPrefix;
  const top = positiveInt('top', values.top, 10);
  const scanCount = positiveInt('scan-count', values['scan-count'], 1000);
  if (!/^rediss?:\/\//i.test(url)) throw new TaskStreamError('INVALID_ARGUMENT', '--url must start with redis:// or rediss://');
  let client: Redis;
  try {
    client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectionName: 'taskstream-inspect' });
  } catch (err) {
    throw new TaskStreamError('INVALID_ARGUMENT', '--url is not a valid redis URL', { cause: err, secrets: urlSecrets(url) });
  }
  // A refused AUTH/HELLO arrives as an 'error' event; connect() then only says "Connection is closed."
  let authError: unknown;
  client.on('error', (err: unknown) => {
    if (authError === undefined && isAuthError(err)) authError = err;
  });
  try {
    await client.connect();
    const report = await inspectStreams(client, prefix, top, scanCount);
    io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatText(report));
    return values['fail-on-no-ttl'] && report.withoutTtl > 0 ? 3 : 0;
  } catch (err) {
    throw toTaskStreamError(authError ?? err, 'inspect', urlSecrets(url));
  } finally {
    client.disconnect();
  }
}
