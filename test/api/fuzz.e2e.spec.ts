import type { RecordedEvent } from '@twinning/event-store';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiredTokenFor, forgedTokenFor, people, tokensFor } from '../support/cast.js';
import { dresdenProposal, stalingradProposal } from '../support/coventry-stories.js';
import { member, type ApiRequest, type ApiResponse } from '../support/http-client.js';
import { COMMAND_CASES, COMMAND_ENDPOINT_NAMES, playSteps } from '../support/lifecycle-steps.js';
import { startInjectableApi, type SystemUnderTest } from '../support/systems.js';

/**
 * Random and malformed requests to every endpoint: whatever arrives, the API answers with a
 * client error or a success, never a 500; every error is a problem document; and a refused
 * request changes no stream.
 */
const RUNS_PER_GROUP = 200;

let system: SystemUnderTest;
let knownIds: string[];
let authorizations: (string | undefined)[];

beforeAll(async () => {
  system = await startInjectableApi();
  const tokens = await tokensFor();
  knownIds = [
    await playSteps(system.client, tokens, dresdenProposal, []),
    await playSteps(system.client, tokens, dresdenProposal, COMMAND_CASES.SuspendAgreement.given),
    await playSteps(system.client, tokens, stalingradProposal, []),
  ];
  authorizations = [
    undefined,
    ...Object.values(tokens).map((token) => `Bearer ${token}`),
    `Bearer ${await expiredTokenFor(people.coventryClerk)}`,
    `Bearer ${await forgedTokenFor(people.coventryClerk)}`,
    'Bearer',
    'Basic Y292ZW50cnk6c2VjcmV0',
    `bearer   ${tokens.dresdenClerk}`,
  ];
});
afterAll(() => system.close());

const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

const agreementIdArbitrary = () =>
  fc.oneof(
    fc.constantFrom(...knownIds),
    fc.uuid(),
    headerText.map((text) => encodeURIComponent(text)),
    fc.constant('00000000-0000-0000-0000-000000000000'),
  );

/** A valid body with one member replaced, removed or added, or something else entirely. */
const bodyArbitrary = (valid: Readonly<Record<string, unknown>>) =>
  fc.oneof(
    fc.constant<unknown>(valid),
    fc
      .record({
        key: fc.constantFrom(...Object.keys(valid), 'party', 'evidence', 'actor', 'type'),
        value: fc.jsonValue(),
      })
      .map(({ key, value }): unknown => ({ ...valid, [key]: value })),
    fc.constantFrom(...Object.keys(valid)).map((key): unknown => {
      const { [key]: _removed, ...rest } = valid;
      return rest;
    }),
    fc.jsonValue(),
    fc.string().map((text): unknown => ({ raw: text })),
  );

const headersArbitrary = () =>
  fc.record(
    {
      authorization: fc.constantFrom(...authorizations),
      contentType: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/problem+json',
        undefined,
      ),
      ifMatch: fc.oneof(
        fc.constant(undefined),
        fc.constantFrom('"0"', '"1"', 'W/"9"', '*', '"99999999999999999999"', '"-1"'),
        headerText,
      ),
      idempotencyKey: fc.oneof(fc.constant(undefined), headerText, fc.constant('k'.repeat(250))),
      correlationId: fc.oneof(fc.constant(undefined), headerText),
      rawBody: fc.boolean(),
    },
    { requiredKeys: ['authorization', 'contentType', 'rawBody'] },
  );

type FuzzHeaders = {
  authorization: string | undefined;
  contentType: string | undefined;
  ifMatch?: string | undefined;
  idempotencyKey?: string | undefined;
  correlationId?: string | undefined;
  rawBody: boolean;
};

const requestOf = (
  method: ApiRequest['method'],
  url: string,
  body: unknown,
  headers: FuzzHeaders,
): ApiRequest => {
  const sent: Record<string, string> = {};
  if (headers.authorization !== undefined) sent['authorization'] = headers.authorization;
  if (headers.contentType !== undefined) sent['content-type'] = headers.contentType;
  if (headers.ifMatch !== undefined) sent['if-match'] = headers.ifMatch;
  if (headers.idempotencyKey !== undefined) sent['idempotency-key'] = headers.idempotencyKey;
  if (headers.correlationId !== undefined) sent['x-correlation-id'] = headers.correlationId;
  // Half the bodies go as their JSON text cut short: malformed JSON.
  if (method === 'GET' || body === undefined) return { method, url, headers: sent };
  const text = JSON.stringify(body);
  return {
    method,
    url,
    headers: sent,
    body: headers.rawBody && text.length > 2 ? text.slice(0, text.length - 1) : text,
  };
};

const snapshotOfStore = async (): Promise<string> => {
  const events: RecordedEvent[] = [];
  for await (const event of system.store.readAll()) events.push(event);
  return events.map((event) => `${event.position.toString()}:${event.id}:${event.hash}`).join('|');
};

const expectWellBehaved = async (request: ApiRequest): Promise<ApiResponse> => {
  const before = await snapshotOfStore();
  const response = await system.client(request);
  expect(response.status, `${request.method} ${request.url}: ${response.text}`).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(member(response.json, 'status')).toBe(response.status);
    expect(member(response.json, 'code')).toMatch(/^TWN_ERR_/);
    expect(await snapshotOfStore()).toBe(before);
  }
  return response;
};

describe('fuzzing every endpoint', () => {
  it('command endpoints', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...COMMAND_ENDPOINT_NAMES).chain((command) =>
          fc.record({
            command: fc.constant(command),
            id: agreementIdArbitrary(),
            body: bodyArbitrary(COMMAND_CASES[command].body),
            headers: headersArbitrary(),
          }),
        ),
        async ({ command, id, body, headers }) => {
          const path = COMMAND_CASES[command].path;
          const url = path === undefined ? '/agreements' : `/agreements/${id}/${path}`;
          await expectWellBehaved(requestOf('POST', url, body, headers));
        },
      ),
      { numRuns: RUNS_PER_GROUP },
    );
  });

  it('reads of agreements and their history', async () => {
    await fc.assert(
      fc.asyncProperty(
        agreementIdArbitrary(),
        fc.constantFrom('', '/events', '/events?minPosition=abc', '?x=1'),
        headersArbitrary(),
        async (id, suffix, headers) => {
          await expectWellBehaved(
            requestOf('GET', `/agreements/${id}${suffix}`, undefined, headers),
          );
        },
      ),
      { numRuns: RUNS_PER_GROUP },
    );
  });

  it('municipality administration', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('ru-volgograd', 'gb-coventry', 'rs-belgrade'),
          headerText.map(encodeURIComponent),
        ),
        bodyArbitrary({ hasClerks: true }),
        headersArbitrary(),
        fc.constantFrom<'GET' | 'PUT'>('GET', 'PUT'),
        async (cityId, body, headers, method) => {
          const url =
            method === 'GET' ? '/admin/municipalities' : `/admin/municipalities/${cityId}`;
          await expectWellBehaved(requestOf(method, url, body, headers));
        },
      ),
      { numRuns: RUNS_PER_GROUP },
    );
  });

  it('unknown routes and methods', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<ApiRequest['method']>('DELETE', 'PATCH', 'PUT', 'GET', 'POST'),
        headerText.map((text) => `/${encodeURIComponent(text)}`),
        headersArbitrary(),
        async (method, url, headers) => {
          await expectWellBehaved(requestOf(method, url, { any: 'thing' }, headers));
        },
      ),
      { numRuns: RUNS_PER_GROUP / 2 },
    );
  });
});
