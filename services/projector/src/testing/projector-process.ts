/**
 * A projector in a child process, for the crash and failover tests: the counting projection over
 * PostgreSQL (`DATABASE_URL`), log lines as JSON on stdout. `PROCESS_TAG` marks the rows it applies.
 */
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createLogger } from '@twinning/http-kit';
import { countingProjection } from '@twinning/projections/testing';
import { createPgClient } from '@twinning/sql';
import { startProjector } from '../start-projector.js';

const databaseUrl = process.env['DATABASE_URL'];
if (databaseUrl === undefined) throw new Error('DATABASE_URL is required');
const tag = process.env['PROCESS_TAG'] ?? `pid-${process.pid}`;

const logger = createLogger({ name: tag, level: 'info', pretty: false });
const sql = createPgClient({ connectionString: databaseUrl, max: 4 });
const store = await createPostgresEventStore(sql);
const projector = await startProjector({
  store,
  sql,
  projections: [countingProjection({ appliedBy: tag })],
  logger,
  batchSize: Number(process.env['BATCH_SIZE'] ?? '100'),
  batchWaitMs: 10,
  lockRetryMs: Number(process.env['LOCK_RETRY_MS'] ?? '300'),
  pollMs: 200,
  lagIntervalMs: 500,
});
logger.info({ tag }, 'projector started');

process.once('SIGTERM', () => {
  void (async () => {
    await projector.stop();
    await store.close();
    await sql.close();
    logger.info({ tag }, 'projector stopped');
    process.exit(0);
  })();
});
