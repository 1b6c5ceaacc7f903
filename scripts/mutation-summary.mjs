// Prints the mutation score per file from Stryker's JSON report, with and without
// string-literal mutants (which only change an error message's wording), and lists survivors.
import { readFileSync } from 'node:fs';

const path = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(path, 'utf8'));
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
