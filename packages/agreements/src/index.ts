export * from './event-metadata.js';
export * from './agreement-stream.js';
export * from './business-date.js';
export * from './execute-command.js';
