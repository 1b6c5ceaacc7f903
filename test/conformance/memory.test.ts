import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { createMemoryRepository } from '../../src/adapters/memory/index.js';
import { describeStreamRepositoryConformance } from '../../src/conformance/index.js';

describeStreamRepositoryConformance({
  name: 'memory (FakeClock)',
  factory: () => {
    const clock = new FakeClock();
    return { repository: createMemoryRepository({ clock }), clock };
  },
});
