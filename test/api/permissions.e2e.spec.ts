import { readAgreementEvents } from '@twinning/agreements';
import { AgreementIdSchema } from '@twinning/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expiredTokenFor,
  forgedTokenFor,
  people,
  tokensFor,
  type PersonName,
} from '../support/cast.js';
import { evidenceFromVolgograd, stalingradProposal } from '../support/coventry-stories.js';
import { member } from '../support/http-client.js';
import {
  COMMAND_CASES,
  COMMAND_ENDPOINT_NAMES,
  commandUrl,
  playSteps,
} from '../support/lifecycle-steps.js';
import { startInjectableApi, type SystemUnderTest } from '../support/systems.js';

/** What a caller gets: the status, and the problem's `reason` (lifecycle) or `code`. */
type Expected = readonly [status: number, reasonOrCode?: string];

const ROLES = ['coventryClerk', 'dresdenClerk', 'kielClerk', 'auditor', 'admin'] as const;
type Role = (typeof ROLES)[number];

const FORBIDDEN: Expected = [403, 'TWN_ERR_FORBIDDEN'];
const HIDDEN: Expected = [404, 'TWN_ERR_AGREEMENT_NOT_FOUND'];

/**
 * Coventry proposes to Dresden; Kiel is party to nothing. Every command endpoint, for every role,
 * on an agreement that stands where the command is allowed for the right clerk.
 */
const COMMAND_MATRIX: { readonly [C in keyof typeof COMMAND_CASES]: Record<Role, Expected> } = {
  ProposeAgreement: {
    coventryClerk: [201],
    dresdenClerk: [403, 'MAY_ACT_ONLY_FOR_OWN_PARTY'],
    kielClerk: [403, 'NOT_A_PARTY'],
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  CounterProposeTerms: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  AcceptTerms: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  RecordCouncilApproval: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  RecordSignature: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  ActivateAgreement: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  SuspendAgreement: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  ReinstateAgreement: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  RenewAgreement: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  TerminateAgreement: {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  WithdrawProposal: {
    coventryClerk: [200],
    dresdenClerk: [403, 'ONLY_PROPOSER_MAY_WITHDRAW'],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
  DeclineProposal: {
    coventryClerk: [403, 'ONLY_PARTNER_MAY_DECLINE'],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: FORBIDDEN,
    admin: FORBIDDEN,
  },
};

const READ_MATRIX: Record<string, Record<Role, Expected>> = {
  'GET /agreements/{id}': {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: [200],
    admin: [200],
  },
  'GET /agreements/{id}/events': {
    coventryClerk: [200],
    dresdenClerk: [200],
    kielClerk: HIDDEN,
    auditor: [200],
    admin: [200],
  },
  'GET /admin/municipalities': {
    coventryClerk: FORBIDDEN,
    dresdenClerk: FORBIDDEN,
    kielClerk: FORBIDDEN,
    auditor: FORBIDDEN,
    admin: [200],
  },
  'PUT /admin/municipalities/{cityId}': {
    coventryClerk: FORBIDDEN,
    dresdenClerk: FORBIDDEN,
    kielClerk: FORBIDDEN,
    auditor: FORBIDDEN,
    admin: [200],
  },
};

const expectProblem = (
  response: { status: number; headers: Record<string, string>; json: unknown; text: string },
  [status, reasonOrCode]: Expected,
) => {
  expect(response.status, response.text).toBe(status);
  if (status >= 400) {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (reasonOrCode !== undefined) {
      const field = reasonOrCode.startsWith('TWN_ERR_') ? 'code' : 'reason';
      expect(member(response.json, field)).toBe(reasonOrCode);
    }
  }
};

let system: SystemUnderTest;
let tokens: Record<PersonName, string>;
beforeAll(async () => {
  [system, tokens] = await Promise.all([startInjectableApi(), tokensFor()]);
  // Both cities of the matrix's agreement have clerks, as in their story.
  const dresdenRepresented = await system.client({
    method: 'PUT',
    url: '/admin/municipalities/de-dresden',
    token: tokens.admin,
    body: { hasClerks: true },
  });
  expect(dresdenRepresented.status).toBe(200);
});
afterAll(() => system.close());

const streamLength = async (id: string) =>
  (await readAgreementEvents(system.store, AgreementIdSchema.parse(id))).length;

describe('who may issue each command', () => {
  const rows = COMMAND_ENDPOINT_NAMES.flatMap((command) =>
    ROLES.map((role) => [command, role, COMMAND_MATRIX[command][role]] as const),
  );

  it.each(rows)('%s by %s answers %j', async (command, role, expected) => {
    const commandCase = COMMAND_CASES[command];
    const id = await playSteps(system.client, tokens, commandCase.proposal, commandCase.given);
    const before = await streamLength(id);
    const response = await system.client({
      method: 'POST',
      url: commandUrl(commandCase, id),
      token: tokens[role],
      body: commandCase.body,
    });
    expectProblem(response, expected);
    if (expected[0] >= 400) expect(await streamLength(id)).toBe(before);
    else if (command !== 'ProposeAgreement') expect(await streamLength(id)).toBeGreaterThan(before);
  });
});

describe('who may read agreements and manage municipalities', () => {
  const rows = Object.entries(READ_MATRIX).flatMap(([endpoint, byRole]) =>
    ROLES.map((role) => [endpoint, role, byRole[role]] as const),
  );

  it.each(rows)('%s by %s answers %j', async (endpoint, role, expected) => {
    const id = await playSteps(system.client, tokens, COMMAND_CASES.AcceptTerms.proposal, []);
    const [method, template] = endpoint.split(' ') as ['GET' | 'PUT', string];
    const url = template.replace('{id}', id).replace('{cityId}', 'rs-belgrade');
    const response = await system.client({
      method,
      url,
      token: tokens[role],
      ...(method === 'PUT' ? { body: { hasClerks: false } } : {}),
    });
    expectProblem(response, expected);
  });
});

describe('every endpoint refuses callers without a valid token', () => {
  const endpoints = [
    ...COMMAND_ENDPOINT_NAMES.map((command) => {
      const commandCase = COMMAND_CASES[command];
      return {
        name: `POST ${commandUrl(commandCase, '{id}')}`,
        method: 'POST' as const,
        url: (id: string) => commandUrl(commandCase, id),
        body: commandCase.body,
      };
    }),
    {
      name: 'GET /agreements/{id}',
      method: 'GET' as const,
      url: (id: string) => `/agreements/${id}`,
    },
    {
      name: 'GET /agreements/{id}/events',
      method: 'GET' as const,
      url: (id: string) => `/agreements/${id}/events`,
    },
    {
      name: 'GET /admin/municipalities',
      method: 'GET' as const,
      url: () => '/admin/municipalities',
    },
    {
      name: 'PUT /admin/municipalities/{cityId}',
      method: 'PUT' as const,
      url: () => '/admin/municipalities/rs-belgrade',
      body: { hasClerks: true },
    },
  ];
  const credentials = {
    missing: () => Promise.resolve(undefined),
    expired: () => expiredTokenFor(people.admin),
    forged: () => forgedTokenFor(people.admin),
    'forged clerk': () => forgedTokenFor(people.coventryClerk),
    malformed: () => Promise.resolve('not-a-jwt'),
  } as const;
  const reasons = {
    missing: 'missing',
    expired: 'expired',
    forged: 'invalid_signature',
    'forged clerk': 'invalid_signature',
    malformed: 'malformed',
  } as const;
  const rows = endpoints.flatMap((endpoint) =>
    (Object.keys(credentials) as (keyof typeof credentials)[]).map(
      (credential) => [endpoint.name, credential, endpoint] as const,
    ),
  );

  it.each(rows)('%s with a %s token answers 401', async (_name, credential, endpoint) => {
    const id = await playSteps(system.client, tokens, COMMAND_CASES.AcceptTerms.proposal, []);
    const token = await credentials[credential]();
    const before = await streamLength(id);
    const response = await system.client({
      method: endpoint.method,
      url: endpoint.url(id),
      ...(token === undefined ? {} : { token }),
      ...('body' in endpoint ? { body: endpoint.body } : {}),
    });
    expectProblem(response, [401, 'TWN_ERR_UNAUTHENTICATED']);
    expect(member(response.json, 'reason')).toBe(reasons[credential]);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="twinning"/);
    expect(await streamLength(id)).toBe(before);
  });
});

describe('recording the acts of a partner city that has no clerks (Volgograd)', () => {
  const partnerAcceptance = { termsVersion: 1, party: 'partner', acceptedOn: '1944-02-20' };

  it('needs evidence, and is allowed with it', async () => {
    const id = await playSteps(system.client, tokens, stalingradProposal, []);
    const url = `/agreements/${id}/acceptances`;
    const withoutEvidence = await system.client({
      method: 'POST',
      url,
      token: tokens.coventryClerk,
      body: partnerAcceptance,
    });
    expectProblem(withoutEvidence, [403, 'EVIDENCE_REQUIRED']);
    const withEvidence = await system.client({
      method: 'POST',
      url,
      token: tokens.coventryClerk,
      body: { ...partnerAcceptance, ...evidenceFromVolgograd('acceptance') },
    });
    expectProblem(withEvidence, [200]);
    expect(member(withEvidence.json, 'agreement', 'acceptances', 'partner', 'evidence')).toEqual({
      reference: 'Letter from the Stalingrad city soviet: acceptance',
    });
  });

  it('covers acceptances, approvals and signatures only: never activation or suspension', async () => {
    const id = await playSteps(system.client, tokens, stalingradProposal, [
      {
        who: 'coventryClerk',
        path: 'acceptances',
        body: { termsVersion: 1, acceptedOn: '1944-02-01' },
      },
      {
        who: 'coventryClerk',
        path: 'acceptances',
        body: { ...partnerAcceptance, ...evidenceFromVolgograd('a') },
      },
      {
        who: 'coventryClerk',
        path: 'council-approvals',
        body: { termsVersion: 1, resolutionReference: 'Minute 1944/31', approvedOn: '1944-03-07' },
      },
      {
        who: 'coventryClerk',
        path: 'signatures',
        body: {
          termsVersion: 1,
          signatory: { name: 'Lord Mayor', title: 'Lord Mayor' },
          place: 'Coventry',
          signedOn: '1944-04-15',
        },
      },
      {
        who: 'coventryClerk',
        path: 'signatures',
        body: {
          termsVersion: 1,
          party: 'partner',
          signatory: { name: 'Chairman', title: 'Chairman of the city soviet' },
          place: 'Stalingrad',
          signedOn: '1944-05-01',
          ...evidenceFromVolgograd('the charter'),
        },
      },
    ]);
    const activation = await system.client({
      method: 'POST',
      url: `/agreements/${id}/activation`,
      token: tokens.coventryClerk,
      body: { party: 'partner', effectiveOn: '1944-07-01', ...evidenceFromVolgograd('b') },
    });
    // Evidence has no place on an activation: refused by name, not silently dropped.
    expectProblem(activation, [400, 'TWN_ERR_VALIDATION']);
    expect(JSON.stringify(member(activation.json, 'errors'))).toContain('evidence');
    const activationForPartner = await system.client({
      method: 'POST',
      url: `/agreements/${id}/activation`,
      token: tokens.coventryClerk,
      body: { party: 'partner', effectiveOn: '1944-07-01' },
    });
    expectProblem(activationForPartner, [403, 'MAY_ACT_ONLY_FOR_OWN_PARTY']);
  });

  it('stops once an admin records that the city has clerks, and resumes when that is undone', async () => {
    const id = await playSteps(system.client, tokens, stalingradProposal, []);
    const setClerks = (hasClerks: boolean) =>
      system.client({
        method: 'PUT',
        url: '/admin/municipalities/ru-volgograd',
        token: tokens.admin,
        body: { hasClerks },
      });
    const recordAcceptance = () =>
      system.client({
        method: 'POST',
        url: `/agreements/${id}/acceptances`,
        token: tokens.coventryClerk,
        body: { ...partnerAcceptance, ...evidenceFromVolgograd('acceptance') },
      });

    const represented = await setClerks(true);
    expectProblem(represented, [200]);
    expect(represented.json).toMatchObject({ cityId: 'ru-volgograd', hasClerks: true });
    expectProblem(await recordAcceptance(), [403, 'ACTING_FOR_REPRESENTED_PARTY']);

    expectProblem(await setClerks(false), [200]);
    expectProblem(await recordAcceptance(), [200]);
    const listed = await system.client({
      method: 'GET',
      url: '/admin/municipalities',
      token: tokens.admin,
    });
    expect(member(listed.json, 'municipalities')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cityId: 'ru-volgograd', hasClerks: false }),
        expect.objectContaining({ cityId: 'gb-coventry', hasClerks: true }),
      ]),
    );
  });

  it('refuses a bad city id or body on the admin route with the fields named', async () => {
    const badCity = await system.client({
      method: 'PUT',
      url: '/admin/municipalities/Coventry',
      token: tokens.admin,
      body: { hasClerks: 'yes' },
    });
    expectProblem(badCity, [400, 'TWN_ERR_VALIDATION']);
    const paths = (member(badCity.json, 'errors') as { path: string }[]).map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['params.cityId']));
  });
});
