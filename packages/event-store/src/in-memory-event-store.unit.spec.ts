import { describeEventStoreContract } from './contract/index.js';
import { createInMemoryEventStore } from './in-memory-event-store.js';

describeEventStoreContract('in memory', () => {
  const store = createInMemoryEventStore();
  return Promise.resolve({ store, teardown: () => store.close() });
});
