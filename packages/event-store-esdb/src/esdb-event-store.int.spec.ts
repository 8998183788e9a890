import { EventStoreUnavailableError } from '@twinning/event-store';
import { describeEventStoreContract } from '@twinning/event-store/contract';
import { GenericContainer, Wait, getContainerRuntimeClient } from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
import { describe, expect, it } from 'vitest';
import { createEsdbEventStore } from './esdb-event-store.js';

const image = 'eventstore/eventstore:24.10';
const httpPort = 2113;
const runtimeProbeTimeoutMs = 5_000;

/** Whether testcontainers finds a container engine; bounded, because a stuck socket can hang. */
const containerRuntimeAvailable = async (): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), runtimeProbeTimeoutMs);
  });
  try {
    return await Promise.race([getContainerRuntimeClient().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
};

const esdbUrl = process.env['ESDB_URL'];
const skipReason =
  esdbUrl !== undefined && esdbUrl.length > 0
    ? undefined
    : (await containerRuntimeAvailable())
      ? undefined
      : 'ESDB_URL is not set and no container runtime is available';

if (skipReason !== undefined) {
  // Also on stderr, so a run that skipped the suite never reads like one that passed it.
  console.warn(`EventStoreDB contract skipped: ${skipReason}`);
}

const startServer = async (): Promise<{ url: string; container?: StartedTestContainer }> => {
  if (esdbUrl !== undefined && esdbUrl.length > 0) return { url: esdbUrl };
  const container = await new GenericContainer(image)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
    })
    .withExposedPorts(httpPort)
    .withWaitStrategy(Wait.forHttp('/health/live', httpPort).forStatusCode(204))
    .withStartupTimeout(120_000)
    .start();
  const url = `esdb://${container.getHost()}:${container.getMappedPort(httpPort)}?tls=false`;
  return { url, container };
};

describeEventStoreContract('EventStoreDB', {
  skipReason,
  setup: async () => {
    const { url, container } = await startServer();
    const store = createEsdbEventStore({ connectionString: url });
    return {
      store,
      teardown: async () => {
        await store.close();
        await container?.stop();
      },
    };
  },
});

describe('EventStoreDB adapter with no server listening', () => {
  it('reports ping as EventStoreUnavailableError within its deadline', async () => {
    const store = createEsdbEventStore({
      connectionString: 'esdb://127.0.0.1:1?tls=false',
      pingTimeoutMs: 2_000,
    });
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
