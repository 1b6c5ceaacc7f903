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
