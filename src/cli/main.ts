#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { TaskStreamError } from '../domain/errors.js';
import { processIo, type CliIo } from './io.js';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: { summary: 'simulated agents stream tokens to several subscribers (memory backend by default)', load: async () => (await import('./demo/run-demo.js')).runDemo },
  serve: { summary: 'HTTP server with an SSE endpoint and a page of agents streaming side by side', load: async () => (await import('./serve.js')).runServe },
  inspect: { summary: 'list task streams in a Redis (lengths, which have no TTL), using SCAN', load: async () => (await import('./inspect.js')).runInspect },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: taskstream <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'taskstream <command> --help' for a command's options.\n`;
}

/** Runs the CLI and resolves with its exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`taskstream: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (err) {
    const message = TaskStreamError.is(err) ? `${err.code}: ${err.message}` : String(err instanceof Error ? err.stack : err);
    io.stderr.write(`taskstream ${name}: ${message}\n`);
    return 1;
  }
}

const entry = process.argv[1];
const invokedDirectly = entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href;
if (invokedDirectly) {
  // Stays non-zero if the event loop empties before the command settles.
  process.exitCode = 70;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
