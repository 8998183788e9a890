import { ConfigError, loadConfig } from '@twinning/http-kit';
import { describe, expect, it } from 'vitest';
import {
  describeLocation,
  storageEnvironmentSchema,
  storageLocationsOf,
} from './storage-config.js';

const locationsFor = (env: Record<string, string>) =>
  storageLocationsOf(loadConfig(storageEnvironmentSchema, env));

describe('choosing a store from the environment', () => {
  it('runs embedded on PGlite under DATA_DIR when EVENT_STORE_URL is unset', () => {
    expect(locationsFor({})).toMatchObject({
      eventStore: { kind: 'pglite', dataDir: './data/pglite' },
      database: { kind: 'pglite', dataDir: './data/pglite' },
    });
    expect(locationsFor({ DATA_DIR: '/var/lib/twinning' }).eventStore).toEqual({
      kind: 'pglite',
      dataDir: '/var/lib/twinning/pglite',
    });
  });

  it('keeps events and read models in one PostgreSQL database unless DATABASE_URL says otherwise', () => {
    const url = 'postgres://twinning@db.example.org:5432/twinning';
    expect(locationsFor({ EVENT_STORE_URL: url })).toMatchObject({
      eventStore: { kind: 'postgres', url },
      database: { kind: 'postgres', url },
    });
    expect(
      locationsFor({
        EVENT_STORE_URL: url,
        DATABASE_URL: 'postgresql://twinning@reads.example.org/reads',
      }).database,
    ).toEqual({ kind: 'postgres', url: 'postgresql://twinning@reads.example.org/reads' });
  });

  it.each(['esdb://eventstore:2113?tls=false', 'kurrentdb://node1:2113,node2:2113?tls=true'])(
    'takes EventStoreDB for %s, with read models in DATABASE_URL or embedded',
    (url) => {
      expect(locationsFor({ EVENT_STORE_URL: url }).eventStore.kind).toBe('esdb');
      expect(locationsFor({ EVENT_STORE_URL: url }).database.kind).toBe('pglite');
      expect(
        locationsFor({ EVENT_STORE_URL: url, DATABASE_URL: 'postgres://db/twinning' }).database,
      ).toEqual({ kind: 'postgres', url: 'postgres://db/twinning' });
    },
  );

  it.each([
    ['not a URL', 'EVENT_STORE_URL'],
    ['mysql://db/twinning', 'EVENT_STORE_URL'],
  ])('refuses EVENT_STORE_URL=%s, naming the variable', (value, variable) => {
    const attempt = () => locationsFor({ EVENT_STORE_URL: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(variable);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL', () => {
    expect(() => locationsFor({ DATABASE_URL: 'esdb://eventstore:2113' })).toThrow('DATABASE_URL');
  });

  it('describes a location without its credentials', () => {
    expect(
      describeLocation({ kind: 'postgres', url: 'postgres://twinning:s3cret@db:5432/twinning' }),
    ).toBe('PostgreSQL at postgres://db:5432/twinning');
  });
});

describe('describing an EventStoreDB location', () => {
  it('leaves out the credentials of a cluster connection string', () => {
    expect(
      describeLocation({
        kind: 'esdb',
        url: 'esdb://admin:changeit@node1:2113,node2:2113?tls=true',
      }),
    ).toBe('EventStoreDB at esdb://node1:2113,node2:2113?tls=true');
  });
});
