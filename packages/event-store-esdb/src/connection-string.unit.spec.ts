import { describe, expect, it } from 'vitest';
import { normaliseConnectionString } from './connection-string.js';
import { createEsdbEventStore } from './esdb-event-store.js';
import { InvalidConnectionStringError } from './errors.js';

describe('normaliseConnectionString', () => {
  it('leaves esdb:// and esdb+discover:// strings as the client reads them', () => {
    expect(normaliseConnectionString('esdb://localhost:2113?tls=false')).toBe(
      'esdb://localhost:2113?tls=false',
    );
    expect(normaliseConnectionString('esdb+discover://cluster.example.org:2113')).toBe(
      'esdb+discover://cluster.example.org:2113',
    );
  });

  it('rewrites the KurrentDB schemes to the ones the 6.x client parses', () => {
    expect(normaliseConnectionString('kurrentdb://admin:changeit@db:2113?tls=false')).toBe(
      'esdb://admin:changeit@db:2113?tls=false',
    );
    expect(normaliseConnectionString('kurrentdb+discover://a:2113,b:2113')).toBe(
      'esdb+discover://a:2113,b:2113',
    );
    expect(normaliseConnectionString('kdb://db:2113')).toBe('esdb://db:2113');
    expect(normaliseConnectionString('  KurrentDB://db:2113 ')).toBe('esdb://db:2113');
  });

  it.each(['http://localhost:2113', 'localhost:2113', '', 'esdb://', 'postgres://db/test'])(
    'refuses %j with a typed error',
    (connectionString) => {
      expect(() => normaliseConnectionString(connectionString)).toThrow(
        InvalidConnectionStringError,
      );
    },
  );
});

describe('createEsdbEventStore', () => {
  it('connects lazily: a store for an unreachable server can be created and closed', async () => {
    const store = createEsdbEventStore({ connectionString: 'kurrentdb://127.0.0.1:1?tls=false' });
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('refuses a string the client cannot parse without repeating its password', () => {
    const attempt = () =>
      createEsdbEventStore({ connectionString: 'esdb://admin:s3cret@db:notaport?tls=false' });
    expect(attempt).toThrow(InvalidConnectionStringError);
    expect(attempt).not.toThrow(/s3cret/);
  });
});
