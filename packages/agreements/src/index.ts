export * from './event-metadata.js';
export * from './agreement-stream.js';
// The business date of an event is the domain's knowledge; re-exported for the layers above.
export { businessDateOf } from '@twinning/domain';
export * from './execute-command.js';
