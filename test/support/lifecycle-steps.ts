import type { CommandType } from '@twinning/domain';
import type { PersonName } from './cast.js';
import { dresdenProposal } from './coventry-stories.js';
import { member, type ApiClient } from './http-client.js';

/**
 * Coventry–Dresden, one command at a time, by the clerk of the city whose act it is. Each command
 * endpoint gets the steps that bring a fresh agreement to where that command is allowed, and a
 * body that the rightful clerk would send.
 */
export interface Step {
  readonly who: PersonName;
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
}

type Endpoint = Exclude<CommandType, 'ExpireAgreement'>;

/** A fixed-term cooperation, so that it can be renewed. */
export const fixedTermDresdenProposal = {
  ...dresdenProposal,
  terms: { ...dresdenProposal.terms, kind: 'cooperation', endDate: '1964-12-31' },
};

const both = (
  path: string,
  body: Readonly<Record<string, unknown>>,
  dates: readonly [string, string],
  field: string,
): Step[] => [
  { who: 'coventryClerk', path, body: { ...body, [field]: dates[0] } },
  { who: 'dresdenClerk', path, body: { ...body, [field]: dates[1] } },
];

const signature = (place: string) => ({
  termsVersion: 1,
  signatory: { name: `Mayor of ${place}`, title: 'Mayor' },
  place,
});

const toSignable: Step[] = [
  ...both('acceptances', { termsVersion: 1 }, ['1956-04-02', '1956-04-10'], 'acceptedOn'),
  ...both(
    'council-approvals',
    { termsVersion: 1, resolutionReference: 'Council resolution 1956/1' },
    ['1956-04-20', '1956-04-25'],
    'approvedOn',
  ),
];
const toSigned: Step[] = [
  ...toSignable,
  {
    who: 'coventryClerk',
    path: 'signatures',
    body: { ...signature('Coventry'), signedOn: '1956-05-01' },
  },
  {
    who: 'dresdenClerk',
    path: 'signatures',
    body: { ...signature('Dresden'), signedOn: '1956-06-15' },
  },
];
const toActive: Step[] = [
  ...toSigned,
  { who: 'dresdenClerk', path: 'activation', body: { effectiveOn: '1959-01-01' } },
];

export interface CommandCase {
  readonly path: string | undefined;
  readonly proposal: Readonly<Record<string, unknown>>;
  /** Steps after the proposal (paths below `/agreements/{id}/`). */
  readonly given: readonly Step[];
  /** What the rightful clerk sends; the party defaults to the caller's own. */
  readonly body: Readonly<Record<string, unknown>>;
}

export const COMMAND_CASES: { readonly [C in Endpoint]: CommandCase } = {
  ProposeAgreement: {
    path: undefined,
    proposal: dresdenProposal,
    given: [],
    body: dresdenProposal,
  },
  CounterProposeTerms: {
    path: 'counter-proposals',
    proposal: dresdenProposal,
    given: [],
    body: {
      terms: { ...dresdenProposal.terms, areasOfExchange: ['culture', 'education'] },
      proposedOn: '1956-03-15',
    },
  },
  AcceptTerms: {
    path: 'acceptances',
    proposal: dresdenProposal,
    given: [],
    body: { termsVersion: 1, acceptedOn: '1956-04-02' },
  },
  RecordCouncilApproval: {
    path: 'council-approvals',
    proposal: dresdenProposal,
    given: toSignable.slice(0, 2),
    body: {
      termsVersion: 1,
      resolutionReference: 'Council minute 1956/412',
      approvedOn: '1956-04-20',
    },
  },
  RecordSignature: {
    path: 'signatures',
    proposal: dresdenProposal,
    given: toSignable,
    body: { ...signature('the town hall'), signedOn: '1956-05-01' },
  },
  ActivateAgreement: {
    path: 'activation',
    proposal: dresdenProposal,
    given: toSigned,
    body: { effectiveOn: '1959-01-01' },
  },
  SuspendAgreement: {
    path: 'suspension',
    proposal: dresdenProposal,
    given: toActive,
    body: { reason: 'Suspended by council vote', suspendedOn: '1960-01-01' },
  },
  ReinstateAgreement: {
    path: 'reinstatement',
    proposal: dresdenProposal,
    given: [
      ...toActive,
      {
        who: 'coventryClerk',
        path: 'suspension',
        body: { reason: 'Paused', suspendedOn: '1960-01-01' },
      },
    ],
    body: { reinstatedOn: '1961-01-01' },
  },
  RenewAgreement: {
    path: 'renewals',
    proposal: fixedTermDresdenProposal,
    given: toActive,
    body: { newEndDate: '1969-12-31', renewedOn: '1963-06-01' },
  },
  TerminateAgreement: {
    path: 'termination',
    proposal: dresdenProposal,
    given: toActive,
    body: { reason: 'Ended by council resolution', terminatedOn: '1962-01-01' },
  },
  WithdrawProposal: {
    path: 'withdrawal',
    proposal: dresdenProposal,
    given: [],
    body: { reason: 'The council chose another partner', withdrawnOn: '1956-03-10' },
  },
  DeclineProposal: {
    path: 'decline',
    proposal: dresdenProposal,
    given: [],
    body: { reason: 'Not a good time for our council', declinedOn: '1956-03-10' },
  },
};

export const COMMAND_ENDPOINT_NAMES = Object.keys(COMMAND_CASES) as Endpoint[];

/** Proposes (as Coventry's clerk) and plays the steps; returns the agreement's id. */
export const playSteps = async (
  client: ApiClient,
  tokens: Readonly<Record<PersonName, string>>,
  proposal: Readonly<Record<string, unknown>>,
  steps: readonly Step[],
): Promise<string> => {
  const proposed = await client({
    method: 'POST',
    url: '/agreements',
    token: tokens.coventryClerk,
    body: proposal,
  });
  if (proposed.status !== 201) throw new Error(`proposal refused: ${proposed.text}`);
  const id = String(member(proposed.json, 'agreement', 'agreementId'));
  for (const step of steps) {
    const response = await client({
      method: 'POST',
      url: `/agreements/${id}/${step.path}`,
      token: tokens[step.who],
      body: step.body,
    });
    if (response.status !== 200) {
      throw new Error(`${step.who} ${step.path} refused: ${response.status} ${response.text}`);
    }
  }
  return id;
};

export const commandUrl = (commandCase: CommandCase, id: string): string =>
  commandCase.path === undefined ? '/agreements' : `/agreements/${id}/${commandCase.path}`;
