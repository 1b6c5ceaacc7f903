import { TaskStreamError } from '../../src/domain/errors.js';

/** The TaskStreamError `fn` throws; fails the test when it throws nothing or something else. */
export function refusal(fn: () => unknown): TaskStreamError {
  try {
    fn();
  } catch (err) {
    if (TaskStreamError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** The code of the TaskStreamError `fn` throws; undefined when it returns; a marker string when it throws something else. */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return TaskStreamError.is(err) ? err.code : `not a TaskStreamError: ${String(err)}`;
  }
}
