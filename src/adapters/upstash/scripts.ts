import { readFileSync } from 'node:fs';
import { restScript } from './rest-client.js';

/** A script kept as a `.lua` file next to this one (the build copies it into `dist`), read once at load. */
const readLua = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');

/**
 * What `info` and `tailId` need, in one request and without shipping entries back: `nil` for a
 * missing key, else `{length, firstId, lastGeneratedId, entriesAdded, maxDeletedId, pttl}`.
 */
export const INFO_SCRIPT = restScript(readLua('./info.lua'));

/** Deletes a topic and its idempotency record in one request; returns 1 when the topic existed. */
export const DELETE_SCRIPT = restScript(readLua('./delete.lua'));
