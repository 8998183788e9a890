import type { RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import { GENESIS_HASH, chainHash } from '@twinning/event-store';
import type { EventToAppend } from '@twinning/event-store';
import { describe, expect, it } from 'vitest';
import {
  chainMetadataKey,
  decodeRecordedEvent,
  encodeEvent,
  validateEventToAppend,
} from './event-encoding.js';
import type { EncodedEvent } from './event-encoding.js';

const proposed: EventToAppend = {
  id: '0b6f2f3e-6a52-4d8e-9a0b-1c4c1d2e3f40',
  type: 'AgreementProposed',
  data: { proposer: 'Coventry', partner: 'Kiel', year: 1947, kinds: ['sister city'] },
  metadata: { correlationId: 'c-1', actor: { subject: 'clerk-7', municipality: 'GB-COV' } },
};

const accepted: EventToAppend = {
  id: '5d7c9a41-2f0e-4c3b-8e6d-7a1b2c3d4e5f',
  type: 'TermsAccepted',
  data: { party: 'Kiel', termsVersion: 1 },
  metadata: { correlationId: 'c-2', causationId: 'c-1' },
};

/** The event as the server hands it back: JSON text on the wire, parsed by the client. */
const storedAs = (
  encoded: EncodedEvent,
  streamId: string,
  revision: bigint,
  position: bigint,
): EsdbRecordedEvent => {
  const { eventData } = encoded;
  return {
    streamId,
    id: eventData.id,
    isJson: true,
    revision,
    type: eventData.type,
    created: new Date('2024-05-01T10:00:00.000Z'),
    data: JSON.parse(JSON.stringify(eventData.data)) as Record<string, unknown>,
    metadata: JSON.parse(JSON.stringify(eventData.metadata)) as Record<string, unknown>,
    position: { commit: position, prepare: position },
  };
};

describe('encodeEvent', () => {
  it('keeps the event id, so the server can recognise a repeated append', () => {
    const { eventData } = encodeEvent('agreement-1', 0n, GENESIS_HASH, proposed);
    expect(eventData).toMatchObject({
      id: proposed.id,
      type: 'AgreementProposed',
      contentType: 'application/json',
      data: proposed.data,
    });
  });

  it('stores the chain next to the port metadata and hashes as the port defines', () => {
    const { eventData, hash } = encodeEvent('agreement-1', 0n, GENESIS_HASH, proposed);
    expect(hash).toBe(
      chainHash(GENESIS_HASH, {
        streamId: 'agreement-1',
        revision: 0n,
        type: proposed.type,
        data: proposed.data,
        metadata: proposed.metadata,
      }),
    );
    expect(eventData.metadata).toEqual({
      ...proposed.metadata,
      [chainMetadataKey]: { prevHash: GENESIS_HASH, hash },
    });
  });

  it('chains each event to the previous one', () => {
    const first = encodeEvent('agreement-1', 0n, GENESIS_HASH, proposed);
    const second = encodeEvent('agreement-1', 1n, first.hash, accepted);
    expect(second.eventData.metadata).toMatchObject({
      [chainMetadataKey]: { prevHash: first.hash, hash: second.hash },
    });
    expect(second.hash).not.toBe(encodeEvent('agreement-1', 1n, GENESIS_HASH, accepted).hash);
  });
});

describe('decodeRecordedEvent', () => {
  it('gives back exactly what was appended, with the chain as its own fields', () => {
    const first = encodeEvent('agreement-1', 0n, GENESIS_HASH, proposed);
    const decoded = decodeRecordedEvent(storedAs(first, 'agreement-1', 0n, 4_242n));
    expect(decoded).toEqual({
      ok: true,
      event: {
        id: proposed.id,
        streamId: 'agreement-1',
        type: proposed.type,
        data: proposed.data,
        metadata: proposed.metadata,
        revision: 0n,
        position: 4_242n,
        storedAt: new Date('2024-05-01T10:00:00.000Z'),
        prevHash: GENESIS_HASH,
        hash: first.hash,
      },
    });
  });

  it('verifies: the stored hash is the chain hash of the decoded content', () => {
    const first = encodeEvent('agreement-1', 0n, GENESIS_HASH, proposed);
    const second = encodeEvent('agreement-1', 1n, first.hash, accepted);
    const decoded = decodeRecordedEvent(storedAs(second, 'agreement-1', 1n, 5_000n));
    if (!decoded.ok) throw new Error(decoded.reason);
    const { event } = decoded;
    expect(chainHash(event.prevHash, event)).toBe(event.hash);
    expect(event.prevHash).toBe(first.hash);
  });

  it('lower-cases ids, as the server returns them', () => {
    const upper = { ...proposed, id: proposed.id.toUpperCase() };
    const encoded = encodeEvent('agreement-1', 0n, GENESIS_HASH, upper);
    const stored = { ...storedAs(encoded, 'agreement-1', 0n, 1n), id: proposed.id };
    const decoded = decodeRecordedEvent(stored);
    expect(decoded.ok && decoded.event.id).toBe(proposed.id);
  });

  it('takes the position sent beside the event when the record has none', () => {
    const encoded = encodeEvent('agreement-1', 0n, GENESIS_HASH, proposed);
    const { position: _position, ...withoutPosition } = storedAs(encoded, 'agreement-1', 0n, 1n);
    const decoded = decodeRecordedEvent(withoutPosition, 777n);
    expect(decoded.ok && decoded.event.position).toBe(777n);
  });

  it.each([
    ['binary data', { isJson: false, data: new Uint8Array([1, 2]) }, /not JSON/],
    ['an array as data', { data: [1, 2] }, /not a JSON object/],
    ['no metadata', { metadata: undefined }, /metadata/],
    ['metadata without the chain', { metadata: { correlationId: 'x' } }, /no hash-chain/],
    [
      'a malformed hash',
      { metadata: { [chainMetadataKey]: { prevHash: GENESIS_HASH, hash: 'abc' } } },
      /malformed hash/,
    ],
    [
      'no position at all',
      { position: { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n } },
      /position/,
    ],
  ])('reports an event with %s as unreadable instead of guessing', (_what, change, reason) => {
    const encoded = encodeEvent('agreement-1', 0n, GENESIS_HASH, proposed);
    const foreign = { ...storedAs(encoded, 'agreement-1', 0n, 1n), ...change } as EsdbRecordedEvent;
    const decoded = decodeRecordedEvent(foreign);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });
});

describe('validateEventToAppend', () => {
  it('accepts a well-formed event', () => {
    expect(() => validateEventToAppend(proposed)).not.toThrow();
  });

  it.each([
    ['a non-uuid id', { id: 'agreement-proposed-1' }],
    ['an empty type', { type: '' }],
    ['a system type', { type: '$metadata' }],
    ['array data', { data: [] as unknown as EventToAppend['data'] }],
    ['null metadata', { metadata: null as unknown as EventToAppend['metadata'] }],
    ['the reserved metadata key', { metadata: { [chainMetadataKey]: 'mine' } }],
  ])('refuses %s with a TypeError', (_what, change) => {
    expect(() => validateEventToAppend({ ...proposed, ...change })).toThrow(TypeError);
  });
});
