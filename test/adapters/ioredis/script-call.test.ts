import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Command } from 'ioredis';
import { encodeCall, ScriptCall } from '../../../src/adapters/ioredis/script-call.js';
import { assertWithSeed } from '../../domain/publisher/fc-seed.js';

const LUA = 'return #KEYS';
const SHA = 'a'.repeat(40);

/** What ioredis writes for the same command (the reference). */
function ioredisWire(name: string, args: (string | number)[]): Buffer {
  const written = new Command(name, args).toWritable({});
  return Buffer.isBuffer(written) ? written : Buffer.from(written);
}

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), fc.string({ maxLength: 3 }));
const arg = fc.oneof(text, fc.integer({ min: -1e9, max: 1e12 }));

describe('script calls encoded into one buffer', () => {
  it('EVALSHA on a socket that loaded the script, EVAL on one that did not: byte for byte what ioredis writes', async () => {
    await assertWithSeed(
      'script call encoding equals ioredis',
      fc.property(fc.array(text, { maxLength: 12 }), fc.array(arg, { maxLength: 40 }), (keys, args) => {
        const loaded = new WeakSet<object>();
        const socket = {};
        const evalHead = (count: number) => Buffer.from(`*${count + 2}\r\n$4\r\nEVAL\r\n$${Buffer.byteLength(LUA)}\r\n${LUA}\r\n`);
        const call = encodeCall(keys, args);
        const rest = [keys.length, ...keys, ...args];
        expect(new ScriptCall(call, SHA, evalHead, loaded).toWritable(socket).equals(ioredisWire('EVAL', [LUA, ...rest]))).toBe(true);
        expect(new ScriptCall(call, SHA, evalHead, loaded).toWritable(socket).equals(ioredisWire('EVALSHA', [SHA, ...rest]))).toBe(true);
        // a new socket loads it again
        expect(new ScriptCall(call, SHA, evalHead, loaded).toWritable({}).equals(ioredisWire('EVAL', [LUA, ...rest]))).toBe(true);
      }),
      300,
    );
  });
});
