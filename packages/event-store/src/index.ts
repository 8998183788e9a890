export type * from './types.js';
export * from './errors.js';
export * from './hash-chain.js';
export * from './expected-revision.js';
export * from './append-validation.js';
export * from './event-filter.js';
export * from './in-memory-event-store.js';
export * from './subscription-pages.js';
