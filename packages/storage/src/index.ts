export * from './storage-config.js';
export * from './open-storage.js';
