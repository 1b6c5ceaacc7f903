// Prints the mutation score per file from Stryker's JSON report, with and without
// string-literal mutants (which only change an error message's wording), and lists survivors.
// Arguments: report files or directories of them (default reports/mutation/mutation.json). When
// several reports hold the same source file, the newest report (by mtime) counts for it.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const paths = (args.length > 0 ? args : ['reports/mutation/mutation.json']).flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p).filter((f) => f.endsWith('.json')).map((f) => join(p, f))
    : [p],
);
paths.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
const report = { files: {} };
for (const p of paths) Object.assign(report.files, JSON.parse(readFileSync(p, 'utf8')).files);
const detected = new Set(['Killed', 'Timeout']);
const counted = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const showSurvivors = process.argv.includes('--survivors');

const score = (mutants) => {
  const valid = mutants.filter((m) => counted.has(m.status));
  const hit = valid.filter((m) => detected.has(m.status)).length;
  return { valid: valid.length, hit, pct: valid.length === 0 ? 100 : (100 * hit) / valid.length };
};
const fmt = ({ pct, hit, valid }) => `${pct.toFixed(1).padStart(5)} % (${hit}/${valid})`;

const rows = [];
const all = [];
const allNoStrings = [];
for (const [file, { mutants, source }] of Object.entries(report.files).sort()) {
  const noStrings = mutants.filter((m) => m.mutatorName !== 'StringLiteral');
  all.push(...mutants);
  allNoStrings.push(...noStrings);
  rows.push(`| ${file} | ${fmt(score(mutants))} | ${fmt(score(noStrings))} |`);
  if (showSurvivors) {
    const lines = source.split('\n');
    for (const m of noStrings.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
      const line = m.location.start.line;
      console.error(`${m.status.padEnd(10)} ${file}:${line} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? '')}   | ${lines[line - 1]?.trim()}`);
    }
  }
}
console.log('| file | score | without string literals |');
console.log('| --- | --- | --- |');
for (const row of rows) console.log(row);
console.log(`| **all** | ${fmt(score(all))} | ${fmt(score(allNoStrings))} |`);
