import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AGREEMENT_EVENT_TYPES, LATEST_SCHEMA_VERSIONS } from './events.js';
import { createUpcast, upcast } from './upcasting.js';
import { coventry, kiel, storyOf } from './testing/agreement-story.js';
import { given } from './testing/given-when-then.js';

describe('the upcasting mechanism', () => {
  // A made-up history of one event type: v1 named the signatory in one string, v2 split name and
  // title, v3 added the place of signing.
  const SignedV3 = z.object({
    type: z.literal('Signed'),
    schemaVersion: z.literal(3),
    data: z.object({
      signatory: z.object({ name: z.string(), title: z.string() }),
      place: z.string(),
    }),
  });
  const upcastSigned = createUpcast({
    latestVersions: { Signed: 3 },
    latestSchema: SignedV3,
    upcasters: {
      Signed: {
        1: (data) => {
          const { signatory } = z.object({ signatory: z.string() }).parse(data);
          const [name = signatory, title = ''] = signatory.split(', ');
          return { signatory: { name, title } };
        },
        2: (data) => ({ ...z.object({}).loose().parse(data), place: 'unknown' }),
      },
    },
  });

  it('walks an old event up one version at a time to the latest shape', () => {
    expect(upcastSigned('Signed', 1, { signatory: 'Alfred Herbert, Lord Mayor' })).toEqual({
      ok: true,
      value: {
        type: 'Signed',
        schemaVersion: 3,
        data: { signatory: { name: 'Alfred Herbert', title: 'Lord Mayor' }, place: 'unknown' },
      },
    });
    expect(upcastSigned('Signed', 2, { signatory: { name: 'A', title: 'B' } })).toMatchObject({
      ok: true,
      value: { schemaVersion: 3, data: { place: 'unknown' } },
    });
  });

  it('leaves an event already in the latest shape as it is', () => {
    const data = { signatory: { name: 'A', title: 'B' }, place: 'Coventry' };
    expect(upcastSigned('Signed', 3, data)).toEqual({
      ok: true,
      value: { type: 'Signed', schemaVersion: 3, data },
    });
  });

  it('fails clearly for an unknown type, a version from the future, a gap in the chain and bad data', () => {
    expect(upcastSigned('Sealed', 1, {})).toMatchObject({
      ok: false,
      error: { reason: 'UNKNOWN_EVENT_TYPE' },
    });
    expect(upcastSigned('toString', 1, {})).toMatchObject({
      ok: false,
      error: { reason: 'UNKNOWN_EVENT_TYPE' },
    });
    expect(upcastSigned('Signed', 4, {})).toMatchObject({
      ok: false,
      error: { reason: 'UNKNOWN_SCHEMA_VERSION' },
    });
    expect(upcastSigned('Signed', 0, {})).toMatchObject({
      ok: false,
      error: { reason: 'UNKNOWN_SCHEMA_VERSION' },
    });
    expect(upcastSigned('Signed', 3, { place: 'Coventry' })).toMatchObject({
      ok: false,
      error: { reason: 'INVALID_EVENT_DATA' },
    });
  });
});

describe('upcasting agreement events', () => {
  it('every event type is at schema version 1 today', () => {
    expect(AGREEMENT_EVENT_TYPES).toHaveLength(15);
    for (const type of AGREEMENT_EVENT_TYPES) expect(LATEST_SCHEMA_VERSIONS[type]).toBe(1);
  });

  it('reads back every event the domain writes, after a trip through JSON', () => {
    const story = storyOf({ proposer: coventry, partner: kiel });
    const { events } = given(
      story.bothRepresented,
      story.propose('2019-01-10'),
      story.accept('proposer', '2019-02-01'),
      story.accept('partner', '2019-02-03', { evidence: { reference: 'minutes' } }),
    );
    for (const event of events) {
      const stored = JSON.parse(JSON.stringify(event.data)) as unknown;
      expect(upcast(event.type, event.schemaVersion, stored)).toEqual({ ok: true, value: event });
    }
  });

  it('rejects a stored event whose data breaks its schema', () => {
    const result = upcast('TermsAccepted', 1, {
      party: 'mayor',
      termsVersion: 1,
      acceptedOn: '2019-02-30',
    });
    expect(result.ok).toBe(false);
    if (!result.ok && result.error.reason === 'INVALID_EVENT_DATA') {
      expect(result.error.issues.map((issue) => issue.path.join('.'))).toEqual([
        'data.party',
        'data.acceptedOn',
      ]);
    } else {
      expect.fail('expected INVALID_EVENT_DATA');
    }
  });
});
