import { describeEventStoreContract } from '@twinning/event-store/contract';
import { createEsdbEventStoreWithClient } from './esdb-event-store.js';
import { InMemoryEsdbClient } from './test-support/in-memory-esdb-client.js';

// The adapter's own logic against the port contract, with the server replaced by the double.
// Not a substitute for esdb-event-store.int.spec.ts, which runs the same suite on a real server.
describeEventStoreContract('EventStoreDB adapter on the in-memory ESDB double (no server)', {
  setup: () => {
    const server = new InMemoryEsdbClient();
    const store = createEsdbEventStoreWithClient(server.asClient());
    return Promise.resolve({ store, teardown: () => store.close() });
  },
});
