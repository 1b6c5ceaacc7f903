// taskstream/conformance registers its checks with whatever describe/it it is given and never
// loads vitest itself (only taskstream/conformance/vitest does).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../src/adapters/memory/index.js';
import { conformanceModules, describeStreamRepositoryConformance, wrapRepository, type TestContextLike } from '../../src/conformance/index.js';
import { readImportGraph } from '../architecture/import-graph.js';

interface Registered {
  readonly path: string[];
  readonly body: (context: TestContextLike) => Promise<void>;
  readonly timeoutMs: number | undefined;
}

/** A minimal framework: records the tree the suite registers. */
function recordingFramework() {
  const tests: Registered[] = [];
  const groups: string[] = [];
  const stack: string[] = [];
  return {
    tests,
    groups,
    describe: (name: string, body: () => void) => {
      groups.push(name);
      stack.push(name);
      body();
      stack.pop();
    },
    it: (name: string, body: (context: TestContextLike) => Promise<void>, timeoutMs?: number) => {
      tests.push({ path: [...stack, name], body, timeoutMs });
    },
  };
}

const memoryBackend = () => {
  const clock = new FakeClock();
  return { repository: createMemoryRepository({ clock }), clock };
};

describe('the conformance suite with a framework passed in', () => {
  const allChecks = Object.values(conformanceModules).flat();

  it('registers one describe per module and one test per check, with the timeout', () => {
    const fw = recordingFramework();
    describeStreamRepositoryConformance({ describe: fw.describe, it: fw.it, name: 'memory', factory: memoryBackend, timeoutMs: 1234 });
    expect(fw.groups).toEqual(['StreamRepository conformance: memory', ...Object.keys(conformanceModules)]);
    expect(fw.tests).toHaveLength(allChecks.length);
    for (const [i, check] of allChecks.entries()) {
      expect(fw.tests[i]!.path[2]).toContain(check.id);
      expect(fw.tests[i]!.timeoutMs).toBe(1234);
    }
  });

  it('the registered bodies run the checks: they pass on the memory backend, and a skipped check calls skip(reason)', async () => {
    const fw = recordingFramework();
    const [first, second] = allChecks;
    describeStreamRepositoryConformance({ describe: fw.describe, it: fw.it, name: 'memory', factory: memoryBackend, skip: { [second!.id]: 'not today' } });
    const skips: (string | undefined)[] = [];
    const context: TestContextLike = { skip: (reason) => void skips.push(reason) };
    await fw.tests.find((t) => t.path[2]!.includes(first!.id))!.body(context);
    await fw.tests.find((t) => t.path[2]!.includes(second!.id))!.body(context);
    expect(skips).toEqual(['not today']);
  });

  it('a broken backend fails the registered test (the bodies are not empty)', async () => {
    const fw = recordingFramework();
    const staleTail = () => {
      const { repository, clock } = memoryBackend();
      return { repository: wrapRepository(repository, { tailId: async () => '0-0' }), clock };
    };
    describeStreamRepositoryConformance({ describe: fw.describe, it: fw.it, name: 'broken', factory: staleTail });
    const test = fw.tests.find((t) => t.path[2]!.includes('tail-and-cursor/tail-tracks-newest'))!;
    await expect(test.body({})).rejects.toThrow(/tailId after a 3-entry batch/);
  });

  it('nothing the taskstream/conformance entry loads imports vitest', () => {
    const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
    const files = new Map(readImportGraph(`${repoRoot}src`, repoRoot).map((f) => [f.path, f]));
    const reached = new Set<string>();
    const visit = (path: string): void => {
      if (reached.has(path) || !files.has(path)) return;
      reached.add(path);
      for (const next of files.get(path)!.localImports) visit(next);
    };
    visit('src/conformance/index.ts');
    expect(reached.size).toBeGreaterThan(10);
    const importers = [...reached].filter((path) => files.get(path)!.packageImports.some((p) => p === 'vitest' || p.startsWith('vitest/')));
    expect(importers).toEqual([]);
    expect(files.get('src/conformance/vitest.ts')!.packageImports).toContain('vitest');
  });
});
