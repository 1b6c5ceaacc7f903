// @ts-check
// What `npm test` needs from the operating system, and the decision to install it. Pure: every
// effect (file checks, the user id, running apt-get) comes in through `PrereqDeps`, so the
// decisions are unit-tested (test/scripts/test-prereqs.test.ts) without touching the machine.

/**
 * @typedef {{ readonly file: string, readonly aptPackage: string }} Prereq
 * @typedef {{ readonly code: number | null, readonly output: string }} ExecResult
 * @typedef {{
 *   binDir: string,
 *   isExecutable: (path: string) => boolean,
 *   uid: () => number | undefined,
 *   which: (command: string) => string | undefined,
 *   exec: (command: string, args: readonly string[], env: Record<string, string>) => Promise<ExecResult>,
 *   log: (line: string) => void,
 * }} PrereqDeps
 * @typedef {{ readonly ok: true } | { readonly ok: false, readonly message: string }} PrereqOutcome
 */

/** The binaries the tests start (redis-server, redis-cli, chromium), by file name in the bin directory. */
export const PREREQS = /** @type {const} */ ([
  { file: 'redis-server', aptPackage: 'redis-server' },
  { file: 'redis-cli', aptPackage: 'redis-tools' },
  { file: 'chromium', aptPackage: 'chromium' },
]);

/** apt-get gives up on an unreachable mirror after 10 s instead of its default minutes. */
const APT_OPTIONS = ['-o', 'Acquire::Retries=0', '-o', 'Acquire::http::Timeout=10', '-o', 'Acquire::https::Timeout=10'];
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };

/**
 * @param {string} binDir
 * @param {(path: string) => boolean} isExecutable
 * @returns {Prereq[]} the prerequisites whose binary is not an executable file in `binDir`
 */
export function missingPrereqs(binDir, isExecutable) {
  return PREREQS.filter((prereq) => !isExecutable(`${binDir}/${prereq.file}`));
}

/**
 * The one message a user sees when the prerequisites cannot be installed here.
 * @param {readonly Prereq[]} missing
 * @param {string} binDir
 * @param {string} reason
 */
export function cannotInstallMessage(missing, binDir, reason) {
  const files = missing.map((p) => `${binDir}/${p.file}`).join(', ');
  const packages = missing.map((p) => p.aptPackage).join(' ');
  return (
    `taskstream tests need ${files}, which ${missing.length === 1 ? 'is' : 'are'} missing, and ${reason}. ` +
    `Install them, then run npm test again: as root on Debian/Ubuntu, ` +
    `\`apt-get update && apt-get install -y ${packages}\` (Debian packages: ${packages}).`
  );
}

/**
 * Checks the prerequisites and installs the missing ones with apt-get when this process can
 * (root, apt-get on PATH): one `apt-get update`, one `apt-get install`. Anything else ends with a
 * single message naming what to install.
 * @param {PrereqDeps} deps
 * @returns {Promise<PrereqOutcome>}
 */
export async function ensureTestPrereqs(deps) {
  const missing = missingPrereqs(deps.binDir, deps.isExecutable);
  if (missing.length === 0) return { ok: true };
  const uid = deps.uid();
  if (uid !== 0) {
    return { ok: false, message: cannotInstallMessage(missing, deps.binDir, `this user (uid ${uid ?? 'unknown'}) is not root, so npm test cannot apt-get them`) };
  }
  const aptGet = deps.which('apt-get');
  if (aptGet === undefined) {
    return { ok: false, message: cannotInstallMessage(missing, deps.binDir, 'there is no apt-get on PATH to install them with') };
  }
  const packages = missing.map((p) => p.aptPackage);
  deps.log(`taskstream tests: installing ${packages.join(' ')} with apt-get (missing from ${deps.binDir})`);
  const update = await deps.exec(aptGet, ['update', '-qq', ...APT_OPTIONS], APT_ENV);
  if (update.code !== 0) {
    return { ok: false, message: cannotInstallMessage(missing, deps.binDir, `\`apt-get update\` failed (exit ${update.code}): ${lastLine(update.output)}`) };
  }
  const install = await deps.exec(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...APT_OPTIONS, ...packages], APT_ENV);
  if (install.code !== 0) {
    return { ok: false, message: cannotInstallMessage(missing, deps.binDir, `\`apt-get install\` failed (exit ${install.code}): ${lastLine(install.output)}`) };
  }
  const stillMissing = missingPrereqs(deps.binDir, deps.isExecutable);
  if (stillMissing.length > 0) {
    return { ok: false, message: cannotInstallMessage(stillMissing, deps.binDir, 'apt-get did not put them there') };
  }
  return { ok: true };
}

/** @param {string} output */
function lastLine(output) {
  const lines = output.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim() || 'no output';
}
