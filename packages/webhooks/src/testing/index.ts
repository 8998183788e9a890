export * from './agreement-events.js';
export * from './webhook-receiver.js';
