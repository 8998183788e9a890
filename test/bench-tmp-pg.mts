import { randomUUID } from 'node:crypto';
import { createPgClient } from '/work/main/packages/sql/src/index.ts';
import { createTestDatabase } from '/work/main/packages/sql/src/testing/index.ts';
import { createPostgresEventStore } from '/work/main/packages/event-store-postgres/src/index.ts';
const main = async () => {
const db = await createTestDatabase();
const client = createPgClient({ connectionString: db.connectionString, max: 10 });
try {
  const store = await createPostgresEventStore(client);
  await client.exec('CREATE TABLE plain (id bigserial primary key, stream_id text, data jsonb)');
  const run = async (writers: number, op: (w: number) => Promise<unknown>) => {
    const until = Date.now() + 3000; let n = 0;
    await Promise.all(Array.from({ length: writers }, async (_, w) => { while (Date.now() < until) { await op(w); n++; } }));
    return n / 3;
  };
  for (const writers of [1, 8]) {
    const plain = await run(writers, (w) => client.transaction((tx) => tx.query('INSERT INTO plain (stream_id, data) VALUES ($1, $2::jsonb)', [`s-${w}`, JSON.stringify({ a: 1, b: 'x' })])));
    const revs = new Map<number, bigint | 'no_stream'>();
    const appends = await run(writers, async (w) => {
      const r = await store.appendToStream(`agreement-${w}-${writers}`, [{ id: randomUUID(), type: 'T', data: { a: 1, b: 'x' }, metadata: { c: 'y' } }], { expectedRevision: revs.get(w) ?? 'no_stream' });
      revs.set(w, r.nextExpectedRevision);
    });
    console.log(`writers=${writers} plain=${plain.toFixed(0)}/s append=${appends.toFixed(0)}/s ratio=${(appends / plain).toFixed(2)}`);
  }
  const N = 1_000_000;
  await client.exec(`INSERT INTO event_store.events (position, stream_id, revision, event_id, type, data, metadata, prev_hash, hash)
    SELECT 1000 + g, 'bulk-' || (g / 10), g % 10, gen_random_uuid(), 'AgreementSigned', '{"partner":"Kiel","since":1947}'::jsonb, '{"actor":{"subject":"clerk"}}'::jsonb, repeat('0',64), repeat('a',64) FROM generate_series(1, ${N}) g`);
  const start = Date.now(); let count = 0; let maxRss = 0;
  for await (const _e of store.readAll()) { count++; if (count % 100000 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss); }
  const secs = (Date.now() - start) / 1000;
  console.log(`readAll ${count} events in ${secs}s = ${(count / secs).toFixed(0)}/s, max rss ${(maxRss / 1e6).toFixed(0)} MB`);
  await store.close();
} finally {
  await client.close();
  await db.drop();
}
};
void main();
