export type * from './stream-repository.js';
export type * from './clock.js';
export type * from './logger.js';
