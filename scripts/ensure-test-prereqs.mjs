#!/usr/bin/env node
// @ts-check
// `npm test` runs this first (the "pretest" script): it makes sure redis-server, redis-cli and
// chromium are in /usr/bin, installing them with apt-get when run as root, and otherwise stops at
// once with one message saying what to install. TASKSTREAM_PREREQ_BIN_DIR points it at another
// directory (used to test the script itself).
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ensureTestPrereqs } from './test-prereqs.mjs';

/** @param {string} path */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** @param {string} command */
function which(command) {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** @type {import('./test-prereqs.mjs').PrereqDeps['exec']} */
function exec(command, args, env) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
      process.stderr.write(chunk);
    });
    child.on('error', (err) => resolve({ code: -1, output: err.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const outcome = await ensureTestPrereqs({
  binDir: process.env['TASKSTREAM_PREREQ_BIN_DIR'] || '/usr/bin',
  isExecutable,
  uid: () => process.getuid?.(),
  which,
  exec,
  log: (line) => console.log(line),
});
if (!outcome.ok) {
  console.error(outcome.message);
  process.exit(1);
}
