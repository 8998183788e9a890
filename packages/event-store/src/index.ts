export type * from './types.js';
export * from './errors.js';
export * from './hash-chain.js';
