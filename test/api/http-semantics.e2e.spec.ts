import { randomUUID } from 'node:crypto';
import { foldStoredEvents, readAgreementEvents } from '@twinning/agreements';
import { AgreementIdSchema, toAgreementView } from '@twinning/domain';
import type { RecordedEvent } from '@twinning/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokensFor, type PersonName } from '../support/cast.js';
import { dresdenProposal } from '../support/coventry-stories.js';
import { member, type ApiResponse } from '../support/http-client.js';
import { COMMAND_CASES, playSteps } from '../support/lifecycle-steps.js';
import {
  startStandaloneOnPGlite,
  startStandaloneOnPostgres,
  type SystemUnderTest,
} from '../support/systems.js';

const systems = [
  ['standalone on PGlite', startStandaloneOnPGlite],
  ['standalone on PostgreSQL', startStandaloneOnPostgres],
] as const;

const expectProblem = (response: ApiResponse, status: number, code?: string) => {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(member(response.json, 'status')).toBe(status);
  if (code !== undefined) expect(member(response.json, 'code')).toBe(code);
};

describe.each(systems)('HTTP semantics of the agreements API, %s', (_name, start) => {
  let system: SystemUnderTest;
  let tokens: Record<PersonName, string>;
  beforeAll(async () => {
    [system, tokens] = await Promise.all([start(), tokensFor()]);
  });
  afterAll(() => system.close());

  const post = (
    who: PersonName,
    url: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => system.client({ method: 'POST', url, token: tokens[who], body, headers });
  const activeAgreement = () =>
    playSteps(system.client, tokens, dresdenProposal, COMMAND_CASES.SuspendAgreement.given);
  const allEvents = async (): Promise<RecordedEvent[]> => {
    const events: RecordedEvent[] = [];
    for await (const event of system.store.readAll()) events.push(event);
    return events;
  };
  const suspension = { reason: 'Suspended by council vote', suspendedOn: '1960-01-01' };

  describe('refusals', () => {
    it('409 names the reason and what the caller may do instead', async () => {
      const id = await playSteps(system.client, tokens, dresdenProposal, []);
      const response = await post('coventryClerk', `/agreements/${id}/activation`, {
        effectiveOn: '1959-01-01',
      });
      expectProblem(response, 409, 'TWN_ERR_COMMAND_REJECTED');
      expect(member(response.json, 'reason')).toBe('NOT_SIGNED');
      expect(member(response.json, 'allowedCommands')).toEqual(
        expect.arrayContaining(['AcceptTerms', 'CounterProposeTerms', 'WithdrawProposal']),
      );
      expect(member(response.json, 'allowedCommands')).not.toContain('DeclineProposal');
    });

    it('404 for an agreement nobody proposed, on commands and reads alike', async () => {
      const unknown = randomUUID();
      expectProblem(
        await post('coventryClerk', `/agreements/${unknown}/acceptances`, { termsVersion: 1 }),
        404,
        'TWN_ERR_AGREEMENT_NOT_FOUND',
      );
      for (const url of [`/agreements/${unknown}`, `/agreements/${unknown}/events`]) {
        expectProblem(
          await system.client({ method: 'GET', url, token: tokens.auditor }),
          404,
          'TWN_ERR_AGREEMENT_NOT_FOUND',
        );
      }
      expect((await allEvents()).some((event) => event.streamId.endsWith(unknown))).toBe(false);
    });

    it('400 names every bad field of a malformed body', async () => {
      const response = await post('coventryClerk', '/agreements', {
        proposer: { ...dresdenProposal.proposer, country: 'gb' },
        terms: { ...dresdenProposal.terms, kind: 'twin_town', areasOfExchange: [] },
        proposedOn: '1956-02-30',
      });
      expectProblem(response, 400, 'TWN_ERR_VALIDATION');
      const paths = (member(response.json, 'errors') as { path: string }[]).map((e) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'body.proposer.country',
          'body.partner',
          'body.terms.kind',
          'body.terms.areasOfExchange',
          'body.proposedOn',
        ]),
      );
    });

    it('400 for a misspelt field instead of silently recording the act as done today', async () => {
      const id = await playSteps(system.client, tokens, dresdenProposal, []);
      const response = await post('coventryClerk', `/agreements/${id}/acceptances`, {
        termsVersion: 1,
        acceptedon: '1956-04-02',
      });
      expectProblem(response, 400, 'TWN_ERR_VALIDATION');
      expect(response.text).toContain('acceptedon');
    });

    it('400 for a path id that is not a uuid, and for a body that is not JSON', async () => {
      expectProblem(
        await system.client({
          method: 'GET',
          url: '/agreements/coventry-1944',
          token: tokens.auditor,
        }),
        400,
        'TWN_ERR_VALIDATION',
      );
      expectProblem(
        await post('coventryClerk', '/agreements', '{"proposer":'),
        400,
        'TWN_ERR_MALFORMED_BODY',
      );
    });

    it('415 for a body that is not JSON by its content type', async () => {
      expectProblem(
        await post('coventryClerk', '/agreements', 'proposer=gb-coventry', {
          'content-type': 'application/x-www-form-urlencoded',
        }),
        415,
        'TWN_ERR_UNSUPPORTED_MEDIA_TYPE',
      );
    });

    it('413 for a body over the size limit', async () => {
      const huge = {
        ...dresdenProposal,
        terms: { ...dresdenProposal.terms, purpose: 'x'.repeat(70 * 1024) },
      };
      expectProblem(
        await post('coventryClerk', '/agreements', huge),
        413,
        'TWN_ERR_PAYLOAD_TOO_LARGE',
      );
    });
  });

  describe('ETag and If-Match', () => {
    it('a command with the ETag last read succeeds; with a stale one it fails with 412', async () => {
      const id = await activeAgreement();
      const read = await system.client({
        method: 'GET',
        url: `/agreements/${id}`,
        token: tokens.dresdenClerk,
      });
      const etag = read.headers['etag'] ?? '';
      expect(etag).toBe(`"${String(member(read.json, 'revision'))}"`);

      const suspended = await post('coventryClerk', `/agreements/${id}/suspension`, suspension, {
        'if-match': etag,
      });
      expect(suspended.status, suspended.text).toBe(200);
      expect(suspended.headers['etag']).not.toBe(etag);

      const stale = await post(
        'dresdenClerk',
        `/agreements/${id}/reinstatement`,
        {},
        { 'if-match': etag },
      );
      expectProblem(stale, 412, 'TWN_ERR_PRECONDITION_FAILED');
      expect(member(stale.json, 'revision')).toBe(member(suspended.json, 'revision'));

      const weak = await post(
        'dresdenClerk',
        `/agreements/${id}/reinstatement`,
        { reinstatedOn: '1961-01-01' },
        { 'if-match': `W/${suspended.headers['etag'] ?? ''}` },
      );
      expect(weak.status, weak.text).toBe(200);
    });

    it('400 for an If-Match that is not one of our entity tags', async () => {
      const id = await activeAgreement();
      expectProblem(
        await post('coventryClerk', `/agreements/${id}/suspension`, suspension, {
          'if-match': '"abc", "3"',
        }),
        400,
        'TWN_ERR_INVALID_PRECONDITION',
      );
    });
  });

  describe('correlation ids', () => {
    it('echoes X-Correlation-Id and records it with the request id as causation', async () => {
      const id = await playSteps(system.client, tokens, dresdenProposal, []);
      const response = await post(
        'dresdenClerk',
        `/agreements/${id}/acceptances`,
        { termsVersion: 1, acceptedOn: '1956-04-02' },
        { 'x-correlation-id': 'dresden-reply-1956' },
      );
      expect(response.headers['x-correlation-id']).toBe('dresden-reply-1956');
      const stored = await readAgreementEvents(system.store, AgreementIdSchema.parse(id));
      expect(stored.at(-1)?.metadata.correlationId).toBe('dresden-reply-1956');
      expect(stored.at(-1)?.metadata.causationId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('replaces an overlong correlation id on a command instead of refusing the command', async () => {
      const id = await playSteps(system.client, tokens, dresdenProposal, []);
      const response = await post(
        'dresdenClerk',
        `/agreements/${id}/acceptances`,
        { termsVersion: 1, acceptedOn: '1956-04-02' },
        { 'x-correlation-id': 'trace-'.repeat(60) },
      );
      expect(response.status, response.text).toBe(200);
      const echoed = response.headers['x-correlation-id'];
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
      const stored = await readAgreementEvents(system.store, AgreementIdSchema.parse(id));
      expect(stored.at(-1)?.metadata.correlationId).toBe(echoed);
    });

    it('replaces a correlation id unfit for logs with a fresh one, and echoes that', async () => {
      const response = await system.client({
        method: 'GET',
        url: '/agreements/not-a-uuid',
        token: tokens.auditor,
        headers: { 'x-correlation-id': 'two words' },
      });
      expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(member(response.json, 'correlationId')).toBe(response.headers['x-correlation-id']);
    });
  });

  describe('concurrency', () => {
    const expectValidStream = async (id: string) => {
      const stored = await readAgreementEvents(system.store, AgreementIdSchema.parse(id));
      expect(stored.map((event) => event.revision)).toEqual(stored.map((_, i) => BigInt(i)));
      for (const [index, event] of stored.entries()) {
        if (index > 0) expect(event.prevHash).toBe(stored[index - 1]?.hash);
      }
      return toAgreementView(foldStoredEvents(stored));
    };

    it('20 clients racing one command with the same If-Match: one wins, the others get 412', async () => {
      const id = await activeAgreement();
      const read = await system.client({
        method: 'GET',
        url: `/agreements/${id}`,
        token: tokens.coventryClerk,
      });
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(
            i % 2 === 0 ? 'coventryClerk' : 'dresdenClerk',
            `/agreements/${id}/suspension`,
            suspension,
            {
              'if-match': read.headers['etag'] ?? '',
            },
          ),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status !== 200).every((s) => s === 409 || s === 412)).toBe(
        true,
      );
      const view = await expectValidStream(id);
      expect(view?.lifecycleState).toBe('suspended');
      expect(
        (await readAgreementEvents(system.store, AgreementIdSchema.parse(id))).filter(
          (stored) => stored.event.type === 'AgreementSuspended',
        ),
      ).toHaveLength(1);
    });

    it('20 clients racing one command without If-Match: one wins, the others are told it no longer applies', async () => {
      const id = await activeAgreement();
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(
            i % 2 === 0 ? 'coventryClerk' : 'dresdenClerk',
            `/agreements/${id}/suspension`,
            suspension,
          ),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      for (const response of responses.filter((r) => r.status !== 200)) {
        expect([409, 412]).toContain(response.status);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect((await expectValidStream(id))?.lifecycleState).toBe('suspended');
    });
  });

  describe('idempotent retries', () => {
    it('the same Idempotency-Key gives the same answer and one set of events', async () => {
      const id = await playSteps(system.client, tokens, dresdenProposal, []);
      const accept = () =>
        post(
          'dresdenClerk',
          `/agreements/${id}/acceptances`,
          { termsVersion: 1, acceptedOn: '1956-04-02' },
          { 'idempotency-key': 'dresden-accepts-v1' },
        );
      const first = await accept();
      const retried = await accept();
      expect(first.status).toBe(200);
      expect(retried.status).toBe(200);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(retried.json).toEqual(first.json);
      expect(retried.headers['etag']).toBe(first.headers['etag']);
      const stored = await readAgreementEvents(system.store, AgreementIdSchema.parse(id));
      expect(stored.filter((event) => event.event.type === 'TermsAccepted')).toHaveLength(1);
    });

    it('a proposal retried with the same key creates one agreement, even when the retries race', async () => {
      const before = (await allEvents()).filter((e) => e.type === 'AgreementProposed').length;
      const key = `coventry-dresden-${randomUUID()}`;
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          post('coventryClerk', '/agreements', dresdenProposal, { 'idempotency-key': key }),
        ),
      );
      const ids = new Set(responses.map((r) => member(r.json, 'agreement', 'agreementId')));
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(ids.size).toBe(1);
      const after = (await allEvents()).filter((e) => e.type === 'AgreementProposed').length;
      expect(after - before).toBe(1);
    });

    it('the same key for another command is refused with 422, appending nothing', async () => {
      const id = await playSteps(system.client, tokens, dresdenProposal, []);
      const key = { 'idempotency-key': 'coventry-1956-04' };
      expect(
        (
          await post(
            'coventryClerk',
            `/agreements/${id}/acceptances`,
            { termsVersion: 1, acceptedOn: '1956-04-02' },
            key,
          )
        ).status,
      ).toBe(200);
      const eventsBefore = (await allEvents()).length;
      const reused = await post(
        'coventryClerk',
        `/agreements/${id}/counter-proposals`,
        COMMAND_CASES.CounterProposeTerms.body,
        key,
      );
      expectProblem(reused, 422, 'TWN_ERR_IDEMPOTENCY_KEY_REUSED');
      expect(member(reused.json, 'firstCommandType')).toBe('AcceptTerms');
      expect((await allEvents()).length).toBe(eventsBefore);
    });

    it('400 for an Idempotency-Key that is not printable ASCII without spaces', async () => {
      expectProblem(
        await post('coventryClerk', '/agreements', dresdenProposal, {
          'idempotency-key': 'two words',
        }),
        400,
        'TWN_ERR_VALIDATION',
      );
    });
  });
});
