/**
 * Deliberately broken StreamRepository backends, each the memory backend with one rule broken,
 * so the teeth tests can show the conformance suite fails and names that rule.
 */
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../src/adapters/memory/index.js';
import type { ConformanceBackend } from '../../src/conformance/index.js';
import type { AppendRequest, ReadOptions, StreamRepository, StreamEntry } from '../../src/ports/stream-repository.js';
import { compareStreamIds, type StreamId } from '../../src/domain/stream-id.js';
import { wrapRepository } from '../../src/conformance/wrap-repository.js';
import { TaskStreamError } from '../../src/domain/errors.js';

const wrap = wrapRepository;

/**
 * The classic Redis drop: after a blocking read came back empty, the next read on that topic
 * starts from the tail at call time (as `XREAD BLOCK … $` re-resolves `$`), not from its id.
 */
function dollarAfterEmptyBlock(inner: StreamRepository): StreamRepository {
  const resolveDollar = new Set<string>();
  return wrap(inner, {
    async read(topic, afterId, options?: ReadOptions) {
      let start: StreamId = afterId;
      if (resolveDollar.delete(topic)) {
        const tail = await inner.tailId(topic);
        if (compareStreamIds(tail, start) > 0) start = tail;
      }
      const entries = await inner.read(topic, start, options);
      if (entries.length === 0 && (options?.blockMs ?? 0) > 0) resolveDollar.add(topic);
      return entries;
    },
  });
}

/** Never sets a TTL: streams of abandoned tasks live forever. */
function neverSetsTtl(inner: StreamRepository): StreamRepository {
  return wrap(inner, { append: (request: AppendRequest) => inner.append({ ...request, ttlSeconds: 0 }) });
}

/** Stores every batch in reverse order (ids still come back increasing). */
function reordersBatch(inner: StreamRepository): StreamRepository {
  return wrap(inner, { append: (request) => inner.append({ ...request, entries: [...request.entries].reverse() }) });
}

/** Reads include the entry at `afterId` itself (`>=` instead of `>`): every resume duplicates one entry. */
function inclusiveRead(inner: StreamRepository): StreamRepository {
  const back = (id: StreamId): StreamId => {
    const [ms, seq] = id.split('-').map(BigInt) as [bigint, bigint];
    if (seq > 0n) return `${ms}-${seq - 1n}`;
    return ms > 0n ? `${ms - 1n}-18446744073709551615` : '0-0';
  };
  return wrap(inner, { read: (topic, afterId, options) => inner.read(topic, back(afterId), options) });
}

/** After every append, writes its last entry once more without idempotency (a blind retry), so a message gets two done events. */
function duplicatesBatchTail(inner: StreamRepository): StreamRepository {
  return wrap(inner, {
    async append(request) {
      const result = await inner.append(request);
      const last = request.entries[request.entries.length - 1];
      if (last !== undefined && result.ids.length > 0) await inner.append({ ...request, entries: [last], idempotency: undefined });
      return result;
    },
  });
}

/** Claims idempotent appends but ignores the idempotency record. */
function ignoresIdempotency(inner: StreamRepository): StreamRepository {
  return wrap(inner, { append: ({ idempotency: _dropped, ...request }) => inner.append(request) });
}

/** Blocking reads ignore their abort signal: an aborted reader hangs until the block runs out. */
function ignoresAbort(inner: StreamRepository): StreamRepository {
  return wrap(inner, {
    read: (topic, afterId, options) => inner.read(topic, afterId, { ...options, signal: undefined }),
  });
}

/** A blocking read woken by an append of several entries hands back all but the first (a lost entry on wake-up). */
function lostWakeup(inner: StreamRepository): StreamRepository {
  return wrap(inner, {
    async read(topic, afterId, options) {
      const entries: readonly StreamEntry[] = await inner.read(topic, afterId, options);
      if ((options?.blockMs ?? 0) > 0 && entries.length > 1) return entries.slice(1);
      return entries;
    },
  });
}

/** info() hides trimming (entriesAdded = length), so no reader can learn it lost entries. */
function infoHidesTrimming(inner: StreamRepository): StreamRepository {
  return wrap(inner, { info: async (topic) => {
    const info = await inner.info(topic);
    return info && { ...info, entriesAdded: info.length };
  } });
}

/** Claims one terminal per message but ignores the terminal record: a second done, and entries after it, are written. */
function ignoresTerminal(inner: StreamRepository): StreamRepository {
  return wrap(inner, { append: ({ message: _dropped, ...request }) => inner.append(request) });
}

/**
 * Checks the terminal record before idempotency: a retry of the batch that wrote a message's done
 * (after a lost reply) is refused with AFTER_TERMINAL instead of counted as duplicates.
 */
function refusesTerminalRetry(inner: StreamRepository): StreamRepository {
  const ended = new Set<string>();
  return wrap(inner, {
    async append(request) {
      const key = request.message === undefined ? undefined : `${request.topic}\n${request.message.key}`;
      if (key !== undefined && ended.has(key)) throw new TaskStreamError('AFTER_TERMINAL', 'message already ended');
      const result = await inner.append(request);
      if (key !== undefined && request.message?.terminal === true) ended.add(key);
      return result;
    },
    async deleteTopic(topic) {
      for (const key of ended) if (key.startsWith(`${topic}\n`)) ended.delete(key);
      return inner.deleteTopic(topic);
    },
  });
}

/** Every broken backend, by the rule it breaks. */
export const brokenBackends = {
  dollarAfterEmptyBlock,
  neverSetsTtl,
  reordersBatch,
  inclusiveRead,
  duplicatesBatchTail,
  ignoresIdempotency,
  ignoresAbort,
  lostWakeup,
  infoHidesTrimming,
  ignoresTerminal,
  refusesTerminalRetry,
} as const;

/** A conformance factory for the memory backend broken by `breakIt` (or healthy without it). */
export function memoryFactory(breakIt?: (inner: StreamRepository) => StreamRepository): () => ConformanceBackend {
  return () => {
    const clock = new FakeClock();
    const inner = createMemoryRepository({ clock });
    return { repository: breakIt ? breakIt(inner) : inner, clock };
  };
}
