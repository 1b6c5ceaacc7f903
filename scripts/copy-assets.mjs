// @ts-check
// tsc emits only JavaScript: copies the files the code reads at run time (the `.lua` scripts)
// from src into the build folder, same relative paths. Usage: node scripts/copy-assets.mjs [outDir]
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const outDir = resolve(root, process.argv[2] ?? 'dist');
const ASSET = /\.lua$/;

/** @param {string} dir @returns {string[]} */
const assets = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? assets(join(dir, e.name)) : ASSET.test(e.name) ? [join(dir, e.name)] : [],
  );

for (const file of assets(src)) {
  const target = join(outDir, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}
