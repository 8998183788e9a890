export * from './counting-projection.js';
