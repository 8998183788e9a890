import { describeEventStoreContract } from '@twinning/event-store/contract';
import { createPGliteClient, createPgClient } from '@twinning/sql';
import { createTestDatabase, randomSchemaName } from '@twinning/sql/testing';
import { createPostgresEventStore } from './index.js';

describeEventStoreContract('PostgreSQL server', async () => {
  const database = await createTestDatabase();
  const client = createPgClient({ connectionString: database.connectionString, max: 20 });
  const store = await createPostgresEventStore(client, { schema: randomSchemaName('events') });
  return {
    store,
    teardown: async () => {
      await store.close();
      await client.close();
      await database.drop();
    },
  };
});

describeEventStoreContract('PGlite in memory', async () => {
  const client = await createPGliteClient();
  const store = await createPostgresEventStore(client);
  return {
    store,
    teardown: async () => {
      await store.close();
      await client.close();
    },
  };
});
