import { describeStreamRepositoryConformance } from 'taskstream/conformance/vitest';
import { createMemoryRepository as createMyRepository } from 'taskstream';

describeStreamRepositoryConformance({ name: 'my backend', factory: () => ({ repository: createMyRepository() }) });
