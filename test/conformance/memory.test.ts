import { describe, it } from 'vitest';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../src/adapters/memory/index.js';
import { describeStreamRepositoryConformance } from '../../src/conformance/index.js';

// The framework-neutral entry, given vitest's functions (other backends use taskstream/conformance/vitest).
describeStreamRepositoryConformance({
  describe,
  it,
  name: 'memory (FakeClock)',
  factory: () => {
    const clock = new FakeClock();
    return { repository: createMemoryRepository({ clock }), clock };
  },
});
