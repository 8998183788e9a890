import {
  AgreementIdSchema,
  CityIdSchema,
  IsoDateSchema,
  MACHINE_VERSION,
  TermsSchema,
  toAgreementStreamId,
  toAgreementView,
  type AcceptTerms,
  type Actor,
  type CityId,
  type Party,
  type ProposeAgreement,
} from '@twinning/domain';
import {
  ExpectedRevisionConflictError,
  createInMemoryEventStore,
  type EventStore,
  type RecordedEvent,
} from '@twinning/event-store';
import { beforeEach, describe, expect, it } from 'vitest';
import { readAgreementEvents } from './agreement-stream.js';
import {
  executeAgreementCommand,
  type CommandDependencies,
  type CommandRequest,
} from './execute-command.js';

const party = (cityId: string, name: string, country: string): Party => ({
  cityId: CityIdSchema.parse(cityId),
  name,
  country,
  councilApprovalRequired: false,
});
const coventry = party('gb-coventry', 'Coventry', 'GB');
const kiel = party('de-kiel', 'Kiel', 'DE');
const clerkOf = (city: Party): Actor => ({
  subject: `clerk@${city.cityId}`,
  role: 'clerk',
  municipality: city.cityId,
});
const agreementId = AgreementIdSchema.parse('5c1d8a52-8f0e-4c47-9a8e-3f1c2b7d9e10');
const day = IsoDateSchema.parse;

const proposal: ProposeAgreement = {
  type: 'ProposeAgreement',
  agreementId,
  actor: clerkOf(coventry),
  proposer: coventry,
  partner: kiel,
  terms: TermsSchema.parse({
    title: 'Coventry and Kiel',
    purpose: 'Friendship after the war',
    areasOfExchange: ['culture', 'youth'],
    kind: 'sister_city',
    startDate: '1947-06-01',
  }),
  proposedOn: day('1947-01-15'),
};
const acceptanceBy = (city: Party, role: 'proposer' | 'partner', on: string): AcceptTerms => ({
  type: 'AcceptTerms',
  agreementId,
  actor: clerkOf(city),
  party: role,
  termsVersion: 1,
  acceptedOn: day(on),
});

const RECORDED_AT = new Date('2025-03-04T10:11:12.000Z');

let store: EventStore;
let dependencies: CommandDependencies;
beforeEach(() => {
  store = createInMemoryEventStore();
  dependencies = {
    store,
    now: () => RECORDED_AT,
    citiesWithClerks: (cityIds: readonly CityId[]) => Promise.resolve(cityIds),
  };
});

const request = (
  command: CommandRequest['command'],
  extra: Partial<CommandRequest> = {},
): CommandRequest => ({
  agreementId,
  command,
  correlationId: 'correlation-1',
  causationId: 'request-1',
  ...extra,
});

const allEvents = async (from: EventStore = store): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for await (const event of from.readAll()) events.push(event);
  return events;
};

const proposed = async () => {
  const result = await executeAgreementCommand(dependencies, request(proposal));
  if (!result.ok) throw new Error(`proposal refused: ${JSON.stringify(result.error)}`);
  return result.value;
};

/** A store that lets `before` act just before each of the first `times` appends reach it. */
const storeWithRaces = (
  inner: EventStore,
  times: number,
  before: (attempt: number) => Promise<void>,
): EventStore & { readonly appendAttempts: () => number } => {
  let attempts = 0;
  return {
    ...inner,
    readStream: (...args) => inner.readStream(...args),
    readAll: (...args) => inner.readAll(...args),
    async appendToStream(streamId, events, options) {
      attempts += 1;
      if (attempts <= times) await before(attempts);
      return inner.appendToStream(streamId, events, options);
    },
    appendAttempts: () => attempts,
  };
};

describe('executeAgreementCommand: the single path', () => {
  it('reads, decides and appends, answering with the state after the append', async () => {
    const outcome = await proposed();
    expect(outcome.replayed).toBe(false);
    expect(outcome.appended.map((stored) => stored.event.type)).toEqual(['AgreementProposed']);
    expect(outcome.agreement.revision).toBe(0n);
    expect(toAgreementView(outcome.agreement.state)?.lifecycleState).toBe('proposed');
    const [stored] = await allEvents();
    expect(stored?.streamId).toBe(toAgreementStreamId(agreementId));
    expect(outcome.position).toBe(stored?.position);
  });

  it('appends the consequence with the act: the second acceptance agrees the terms', async () => {
    await proposed();
    await executeAgreementCommand(
      dependencies,
      request(acceptanceBy(kiel, 'partner', '1947-02-01')),
    );
    const result = await executeAgreementCommand(
      dependencies,
      request(acceptanceBy(coventry, 'proposer', '1947-02-03')),
    );
    expect(result.ok && result.value.appended.map((stored) => stored.event.type)).toEqual([
      'TermsAccepted',
      'TermsAgreed',
    ]);
    expect(result.ok && result.value.agreement.revision).toBe(3n);
  });

  it('answers not_found for a command on an agreement never proposed, appending nothing', async () => {
    const result = await executeAgreementCommand(
      dependencies,
      request(acceptanceBy(kiel, 'partner', '1947-02-01')),
    );
    expect(result).toEqual({ ok: false, error: { kind: 'not_found' } });
    expect(await allEvents()).toHaveLength(0);
  });

  it('passes on the lifecycle refusal with its reason, allowed commands and revision', async () => {
    await proposed();
    const result = await executeAgreementCommand(
      dependencies,
      request({
        type: 'ActivateAgreement',
        agreementId,
        actor: clerkOf(coventry),
        party: 'proposer',
        effectiveOn: day('1947-06-01'),
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok || result.error.kind !== 'rejected') throw new Error('expected a rejection');
    expect(result.error.error.reason).toBe('NOT_SIGNED');
    expect(result.error.error.allowedCommands).toContain('AcceptTerms');
    expect(result.error.revision).toBe(0n);
    expect(await allEvents()).toHaveLength(1);
  });

  it('asks the directory which of the two cities have clerks, and decides with its answer', async () => {
    await proposed();
    const asked: CityId[][] = [];
    const onlyCoventryRepresented: CommandDependencies = {
      ...dependencies,
      citiesWithClerks: (cityIds) => {
        asked.push([...cityIds]);
        return Promise.resolve(cityIds.filter((cityId) => cityId === coventry.cityId));
      },
    };
    const forKiel = { ...acceptanceBy(coventry, 'partner', '1947-02-01') };
    const withoutEvidence = await executeAgreementCommand(
      onlyCoventryRepresented,
      request(forKiel),
    );
    expect(
      !withoutEvidence.ok &&
        withoutEvidence.error.kind === 'rejected' &&
        withoutEvidence.error.error.reason,
    ).toBe('EVIDENCE_REQUIRED');
    const withEvidence = await executeAgreementCommand(
      onlyCoventryRepresented,
      request({ ...forKiel, evidence: { reference: 'letter from Kiel, 1947' } }),
    );
    expect(withEvidence.ok).toBe(true);
    expect(asked[0]).toEqual([coventry.cityId, kiel.cityId]);
  });
});

describe('executeAgreementCommand: concurrency', () => {
  it('without an expected revision, decides again on what a competing writer appended', async () => {
    await proposed();
    let madeCommands = 0;
    const racing = storeWithRaces(store, 1, async () => {
      await executeAgreementCommand(
        dependencies,
        request(acceptanceBy(kiel, 'partner', '1947-02-01')),
      );
    });
    const result = await executeAgreementCommand(
      { ...dependencies, store: racing },
      request(() => {
        madeCommands += 1;
        return acceptanceBy(coventry, 'proposer', '1947-02-03');
      }),
    );
    // The retry saw Kiel's acceptance, so Coventry's now agrees the terms as well.
    expect(result.ok && result.value.appended.map((stored) => stored.event.type)).toEqual([
      'TermsAccepted',
      'TermsAgreed',
    ]);
    expect(madeCommands).toBe(2);
    expect(racing.appendAttempts()).toBe(2);
    const revisions = (await readAgreementEvents(store, agreementId)).map((e) => e.revision);
    expect(revisions).toEqual([0n, 1n, 2n, 3n]);
  });

  it('gives up after a bounded number of conflicts, appending nothing', async () => {
    await proposed();
    const alwaysConflicting: EventStore = {
      ...store,
      readStream: (...args) => store.readStream(...args),
      appendToStream: (streamId) =>
        Promise.reject(new ExpectedRevisionConflictError(streamId, 0n, 1n)),
    };
    let attempts = 0;
    const result = await executeAgreementCommand(
      { ...dependencies, store: alwaysConflicting },
      request(() => {
        attempts += 1;
        return acceptanceBy(kiel, 'partner', '1947-02-01');
      }),
    );
    expect(result).toEqual({ ok: false, error: { kind: 'contended', attempts: 5 } });
    expect(attempts).toBe(5);
    expect(await allEvents()).toHaveLength(1);
  });

  it('with an expected revision the stream no longer has, answers revision_mismatch at once', async () => {
    await proposed();
    const result = await executeAgreementCommand(
      dependencies,
      request(acceptanceBy(kiel, 'partner', '1947-02-01'), { expectedRevision: 3n }),
    );
    expect(result).toEqual({
      ok: false,
      error: { kind: 'revision_mismatch', expected: 3n, actual: 0n },
    });
    expect(await allEvents()).toHaveLength(1);
  });

  it('with an expected revision, a competing append between read and write is a mismatch, not a retry', async () => {
    await proposed();
    const racing = storeWithRaces(store, 1, async () => {
      await executeAgreementCommand(
        dependencies,
        request(acceptanceBy(kiel, 'partner', '1947-02-01')),
      );
    });
    const result = await executeAgreementCommand(
      { ...dependencies, store: racing },
      request(acceptanceBy(coventry, 'proposer', '1947-02-03'), { expectedRevision: 0n }),
    );
    expect(result).toEqual({
      ok: false,
      error: { kind: 'revision_mismatch', expected: 0n, actual: 1n },
    });
    expect(racing.appendAttempts()).toBe(1);
    expect(await allEvents()).toHaveLength(2);
  });

  it('refuses a second proposal under an id already taken', async () => {
    await proposed();
    const again = await executeAgreementCommand(dependencies, request(proposal));
    expect(!again.ok && again.error.kind === 'rejected' && again.error.error.reason).toBe(
      'AGREEMENT_ALREADY_EXISTS',
    );
  });
});

describe('executeAgreementCommand: idempotency keys', () => {
  it('replays the first answer for a retried key and appends nothing', async () => {
    await proposed();
    const acceptance = request(acceptanceBy(kiel, 'partner', '1947-02-01'), {
      idempotencyKey: 'kiel-acceptance-1',
    });
    const first = await executeAgreementCommand(dependencies, acceptance);
    // Another command lands in between; the retry still answers as the first time.
    await executeAgreementCommand(
      dependencies,
      request(acceptanceBy(coventry, 'proposer', '1947-02-03')),
    );
    const countBefore = (await allEvents()).length;
    const retried = await executeAgreementCommand(dependencies, acceptance);

    expect(first.ok && retried.ok).toBe(true);
    if (!first.ok || !retried.ok) return;
    expect(retried.value.replayed).toBe(true);
    expect(retried.value.appended.map((stored) => stored.id)).toEqual(
      first.value.appended.map((stored) => stored.id),
    );
    expect(retried.value.agreement.revision).toBe(first.value.agreement.revision);
    expect(retried.value.position).toBe(first.value.position);
    expect(toAgreementView(retried.value.agreement.state)).toEqual(
      toAgreementView(first.value.agreement.state),
    );
    expect(await allEvents()).toHaveLength(countBefore);
  });

  it('replays even when the retry carries the expected revision the first request had', async () => {
    await proposed();
    const acceptance = request(acceptanceBy(kiel, 'partner', '1947-02-01'), {
      idempotencyKey: 'kiel-acceptance-2',
      expectedRevision: 0n,
    });
    const first = await executeAgreementCommand(dependencies, acceptance);
    const retried = await executeAgreementCommand(dependencies, acceptance);
    expect(first.ok).toBe(true);
    expect(retried.ok && retried.value.replayed).toBe(true);
  });

  it('replays a proposal retried with its key instead of refusing it as already existing', async () => {
    const proposing = request(proposal, { idempotencyKey: 'coventry-kiel-1947' });
    const first = await executeAgreementCommand(dependencies, proposing);
    const retried = await executeAgreementCommand(dependencies, proposing);
    expect(first.ok && !first.value.replayed).toBe(true);
    expect(retried.ok && retried.value.replayed).toBe(true);
    expect(await allEvents()).toHaveLength(1);
  });

  it('refuses the same key for another command type, appending nothing', async () => {
    await executeAgreementCommand(dependencies, request(proposal, { idempotencyKey: 'key-1' }));
    const reused = await executeAgreementCommand(
      dependencies,
      request(acceptanceBy(kiel, 'partner', '1947-02-01'), { idempotencyKey: 'key-1' }),
    );
    expect(reused).toEqual({
      ok: false,
      error: { kind: 'idempotency_key_reused', key: 'key-1', firstCommandType: 'ProposeAgreement' },
    });
    expect(await allEvents()).toHaveLength(1);
  });

  it('refuses a key that a different command took while this one was being decided', async () => {
    await proposed();
    const racing = storeWithRaces(store, 1, async () => {
      await executeAgreementCommand(
        dependencies,
        request(acceptanceBy(kiel, 'partner', '1947-02-01'), { idempotencyKey: 'shared-key' }),
      );
    });
    const counterProposal = await executeAgreementCommand(
      { ...dependencies, store: racing },
      request(
        {
          type: 'CounterProposeTerms',
          agreementId,
          actor: clerkOf(kiel),
          party: 'partner',
          terms: { ...proposal.terms, areasOfExchange: ['sport'] },
          proposedOn: day('1947-02-01'),
        },
        { idempotencyKey: 'shared-key' },
      ),
    );
    expect(counterProposal).toEqual({
      ok: false,
      error: { kind: 'idempotency_key_reused', key: 'shared-key', firstCommandType: 'AcceptTerms' },
    });
    const types = (await readAgreementEvents(store, agreementId)).map((e) => e.event.type);
    expect(types).toEqual(['AgreementProposed', 'TermsAccepted']);
  });

  it('does not replay a key whose first request was refused: nothing was recorded under it', async () => {
    await proposed();
    const early = request(
      {
        type: 'ActivateAgreement',
        agreementId,
        actor: clerkOf(coventry),
        party: 'proposer',
        effectiveOn: day('1947-06-01'),
      },
      { idempotencyKey: 'activation-1' },
    );
    const first = await executeAgreementCommand(dependencies, early);
    const again = await executeAgreementCommand(dependencies, early);
    expect(!first.ok && first.error.kind).toBe('rejected');
    expect(again).toEqual(first);
  });
});

describe('executeAgreementCommand: event metadata', () => {
  it('records actor, correlation, causation, times, versions and the command', async () => {
    await executeAgreementCommand(
      dependencies,
      request(proposal, {
        idempotencyKey: 'proposal-key',
        correlationId: 'corr-7',
        causationId: 'req-9',
      }),
    );
    const [stored] = await readAgreementEvents(store, agreementId);
    expect(stored?.metadata).toEqual({
      actor: clerkOf(coventry),
      correlationId: 'corr-7',
      causationId: 'req-9',
      recordedAt: RECORDED_AT.toISOString(),
      occurredAt: '1947-01-15',
      machineVersion: MACHINE_VERSION,
      schemaVersion: 1,
      commandType: 'ProposeAgreement',
      idempotencyKey: 'proposal-key',
    });
  });

  it('leaves occurredAt out when the act happened on the day it is recorded', async () => {
    await executeAgreementCommand(
      dependencies,
      request({ ...proposal, proposedOn: day(RECORDED_AT.toISOString().slice(0, 10)) }),
    );
    const [stored] = await readAgreementEvents(store, agreementId);
    expect(stored?.metadata).not.toHaveProperty('occurredAt');
    expect(stored?.metadata).not.toHaveProperty('idempotencyKey');
  });

  it('gives every event of one command the same metadata, each with its own business date', async () => {
    await proposed();
    await executeAgreementCommand(
      dependencies,
      request(acceptanceBy(kiel, 'partner', '1947-02-01')),
    );
    await executeAgreementCommand(
      dependencies,
      request(acceptanceBy(coventry, 'proposer', '1947-02-03'), { correlationId: 'corr-agree' }),
    );
    const events = await readAgreementEvents(store, agreementId);
    const [accepted, agreed] = events.slice(-2);
    expect(agreed?.event.type).toBe('TermsAgreed');
    for (const stored of [accepted, agreed]) {
      expect(stored?.metadata).toMatchObject({
        correlationId: 'corr-agree',
        commandType: 'AcceptTerms',
        actor: clerkOf(coventry),
        occurredAt: '1947-02-03',
      });
    }
  });
});
