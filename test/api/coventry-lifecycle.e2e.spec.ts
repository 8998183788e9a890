import { foldStoredEvents, readAgreementEvents } from '@twinning/agreements';
import { AgreementIdSchema, toAgreementView } from '@twinning/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokensFor, type PersonName } from '../support/cast.js';
import {
  dresdenProposal,
  evidenceFromVolgograd,
  stalingradProposal,
} from '../support/coventry-stories.js';
import { member, type ApiResponse } from '../support/http-client.js';
import {
  startStandaloneOnPGlite,
  startStandaloneOnPostgres,
  type SystemUnderTest,
} from '../support/systems.js';

const systems = [
  ['standalone on PGlite', startStandaloneOnPGlite],
  ['standalone on PostgreSQL', startStandaloneOnPostgres],
] as const;

describe.each(systems)('the Coventry stories over HTTP, %s', (_name, start) => {
  let system: SystemUnderTest;
  let tokens: Record<PersonName, string>;
  beforeAll(async () => {
    [system, tokens] = await Promise.all([start(), tokensFor()]);
  });
  afterAll(() => system.close());

  const act = (
    who: PersonName,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> =>
    system.client({ method: 'POST', url: path, token: tokens[who], body, headers });

  const stateOf = (response: ApiResponse) => member(response.json, 'agreement', 'lifecycleState');
  const expectOk = (response: ApiResponse, status = 200) => {
    expect(response.status, response.text).toBe(status);
    return response;
  };

  it('Coventry and Stalingrad, 1944: proposed, agreed, signed, active, then suspended in 2022', async () => {
    const correlationId = 'coventry-stalingrad-1944';
    const proposed = expectOk(
      await act('coventryClerk', '/agreements', stalingradProposal, {
        'x-correlation-id': correlationId,
      }),
      201,
    );
    expect(proposed.headers['x-correlation-id']).toBe(correlationId);
    const id = AgreementIdSchema.parse(member(proposed.json, 'agreement', 'agreementId'));
    expect(proposed.headers['location']).toBe(`/agreements/${id}`);
    expect(proposed.headers['etag']).toBe('"0"');
    expect(stateOf(proposed)).toBe('proposed');
    expect(member(proposed.json, 'allowedCommands')).toEqual(
      expect.arrayContaining(['AcceptTerms', 'CounterProposeTerms', 'WithdrawProposal']),
    );
    const base = `/agreements/${id}`;

    expectOk(
      await act('coventryClerk', `${base}/acceptances`, {
        termsVersion: 1,
        acceptedOn: '1944-02-01',
      }),
    );
    // Volgograd has no clerks: Coventry's clerk records Stalingrad's acceptance, with evidence.
    const agreed = expectOk(
      await act('coventryClerk', `${base}/acceptances`, {
        termsVersion: 1,
        party: 'partner',
        acceptedOn: '1944-02-20',
        ...evidenceFromVolgograd('acceptance of the terms'),
      }),
    );
    expect(stateOf(agreed)).toBe('negotiated');
    expect((member(agreed.json, 'appended') as { type: string }[]).map((e) => e.type)).toEqual([
      'TermsAccepted',
      'TermsAgreed',
    ]);

    expectOk(
      await act('coventryClerk', `${base}/council-approvals`, {
        termsVersion: 1,
        resolutionReference: 'Coventry City Council minute 1944/31',
        approvedOn: '1944-03-07',
      }),
    );
    const partlySigned = expectOk(
      await act('coventryClerk', `${base}/signatures`, {
        termsVersion: 1,
        signatory: { name: 'Alderman Emily Smith', title: 'Lord Mayor of Coventry' },
        place: 'Coventry',
        signedOn: '1944-04-15',
      }),
    );
    expect(stateOf(partlySigned)).toBe('partially_signed');
    const signed = expectOk(
      await act('coventryClerk', `${base}/signatures`, {
        termsVersion: 1,
        party: 'partner',
        signatory: { name: 'Chairman of the city soviet', title: 'Chairman' },
        place: 'Stalingrad',
        signedOn: '1944-05-01',
        ...evidenceFromVolgograd('the signed charter'),
      }),
    );
    expect(stateOf(signed)).toBe('signed');
    const active = expectOk(
      await act('coventryClerk', `${base}/activation`, { effectiveOn: '1944-07-01' }),
    );
    expect(stateOf(active)).toBe('active');

    const suspended = expectOk(
      await act(
        'coventryClerk',
        `${base}/suspension`,
        {
          reason: 'Suspended by council vote after the invasion of Ukraine; not a permanent end',
          councilResolutionReference: 'Coventry City Council resolution 2022/17',
          suspendedOn: '2022-04-12',
        },
        { 'if-match': active.headers['etag'] ?? '' },
      ),
    );
    expect(stateOf(suspended)).toBe('suspended');
    expect(member(suspended.json, 'allowedCommands')).toEqual(
      expect.arrayContaining(['ReinstateAgreement', 'TerminateAgreement']),
    );

    // What an auditor reads is what the stream holds, folded.
    const read = expectOk(await system.client({ method: 'GET', url: base, token: tokens.auditor }));
    expect(member(read.json, 'agreement')).toEqual(member(suspended.json, 'agreement'));
    expect(read.headers['etag']).toBe(suspended.headers['etag']);
    const stored = await readAgreementEvents(system.store, id);
    expect(toAgreementView(foldStoredEvents(stored))?.lifecycleState).toBe('suspended');
    expect(stored.map((event) => event.revision)).toEqual(stored.map((_, index) => BigInt(index)));

    const history = expectOk(
      await system.client({ method: 'GET', url: `${base}/events`, token: tokens.auditor }),
    );
    const events = member(history.json, 'events') as {
      type: string;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }[];
    expect(events.map((event) => event.type)).toEqual([
      'AgreementProposed',
      'TermsAccepted',
      'TermsAccepted',
      'TermsAgreed',
      'CouncilApprovalRecorded',
      'SignatureRecorded',
      'SignatureRecorded',
      'AgreementSigned',
      'AgreementActivated',
      'AgreementSuspended',
    ]);
    expect(events[0]?.metadata).toMatchObject({
      correlationId,
      commandType: 'ProposeAgreement',
      occurredAt: '1944-01-20',
      actor: { subject: 'clerk@gb-coventry', role: 'clerk', municipality: 'gb-coventry' },
    });
    expect(events[2]?.data).toMatchObject({
      party: 'partner',
      evidence: { reference: 'Letter from the Stalingrad city soviet: acceptance of the terms' },
    });
    expect(events.at(-1)?.data).toMatchObject({ party: 'proposer', suspendedOn: '2022-04-12' });
  });

  it('Coventry and Dresden, 1956: both clerks act for their own city and both councils approve', async () => {
    const proposed = expectOk(await act('coventryClerk', '/agreements', dresdenProposal), 201);
    const base = `/agreements/${String(member(proposed.json, 'agreement', 'agreementId'))}`;
    expectOk(
      await act('dresdenClerk', `${base}/acceptances`, {
        termsVersion: 1,
        acceptedOn: '1956-04-02',
      }),
    );
    const agreed = expectOk(
      await act('coventryClerk', `${base}/acceptances`, {
        termsVersion: 1,
        acceptedOn: '1956-04-10',
      }),
    );
    expect(stateOf(agreed)).toBe('negotiated');

    // Dresden has a clerk now: Coventry may not sign on its behalf, even with evidence.
    const signedForDresden = await act('coventryClerk', `${base}/signatures`, {
      termsVersion: 1,
      party: 'partner',
      signatory: { name: 'Oberbürgermeister', title: 'Mayor' },
      place: 'Dresden',
      signedOn: '1956-05-01',
      evidence: { reference: 'a copy of the charter' },
    });
    expect(signedForDresden.status).toBe(403);
    expect(member(signedForDresden.json, 'reason')).toBe('ACTING_FOR_REPRESENTED_PARTY');

    // Signing before the councils approved is refused with what may be done instead.
    const tooEarly = await act('coventryClerk', `${base}/signatures`, {
      termsVersion: 1,
      signatory: { name: 'Lord Mayor of Coventry', title: 'Lord Mayor' },
      place: 'Coventry',
      signedOn: '1956-05-01',
    });
    expect(tooEarly.status).toBe(409);
    expect(member(tooEarly.json, 'reason')).toBe('COUNCIL_APPROVAL_REQUIRED');
    expect(member(tooEarly.json, 'allowedCommands')).toEqual(
      expect.arrayContaining(['RecordCouncilApproval']),
    );

    for (const [who, resolution, on] of [
      ['coventryClerk', 'Coventry City Council minute 1956/412', '1956-04-20'],
      ['dresdenClerk', 'Beschluss der Stadtverordnetenversammlung 1956/88', '1956-04-25'],
    ] as const) {
      expectOk(
        await act(who, `${base}/council-approvals`, {
          termsVersion: 1,
          resolutionReference: resolution,
          approvedOn: on,
        }),
      );
    }
    for (const [who, place, on] of [
      ['coventryClerk', 'Coventry', '1956-05-01'],
      ['dresdenClerk', 'Dresden', '1956-06-15'],
    ] as const) {
      expectOk(
        await act(who, `${base}/signatures`, {
          termsVersion: 1,
          signatory: { name: `Mayor of ${place}`, title: 'Mayor' },
          place,
          signedOn: on,
        }),
      );
    }
    const early = await act('dresdenClerk', `${base}/activation`, { effectiveOn: '1958-12-31' });
    expect(early.status).toBe(409);
    expect(member(early.json, 'reason')).toBe('BEFORE_EFFECTIVE_DATE');
    const active = expectOk(
      await act('dresdenClerk', `${base}/activation`, { effectiveOn: '1959-01-01' }),
    );
    expect(stateOf(active)).toBe('active');
    expect(
      member(active.json, 'agreement', 'councilApprovals', 'partner', 'resolutionReference'),
    ).toBe('Beschluss der Stadtverordnetenversammlung 1956/88');
  });
});
