export { loadStandaloneConfig, type StandaloneConfig } from './standalone-config.js';
export { startStandaloneSystem, type StandaloneSystem } from './standalone-system.js';
