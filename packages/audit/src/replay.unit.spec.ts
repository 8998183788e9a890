import { date } from '@twinning/domain/testing';
import { createInMemoryEventStore } from '@twinning/event-store';
import { describe, expect, it } from 'vitest';
import { createAuditor } from './auditor.js';
import { inForceRecordFromLog } from './in-force-query.js';
import { replayAgreement } from './replay.js';
import { recordLateSignatureStory } from './testing/recorded-story.js';

const setUp = async () => {
  const store = createInMemoryEventStore();
  const story = await recordLateSignatureStory(store);
  return { store, story, auditor: createAuditor({ store }) };
};

const at = (iso: string): Date => new Date(iso);

describe('replay as of a revision', () => {
  it('folds exactly the events up to that revision, under the stream machine version', async () => {
    const { auditor, story } = await setUp();
    const atProposal = await auditor.replay(story.id, { kind: 'revision', revision: 0n });
    expect(atProposal).toMatchObject({ eventsApplied: 1, revision: 0n, machineVersion: 1 });
    expect(atProposal.view?.lifecycleState).toBe('proposed');
    const atSigning = await auditor.replay(story.id, { kind: 'revision', revision: 8n });
    expect(atSigning.view?.lifecycleState).toBe('signed');
    expect(atSigning.view?.dates.signedOn).toBe('2024-02-03');
  });

  it('refuses a revision the stream does not have, and an unknown agreement', async () => {
    const { auditor, story } = await setUp();
    await expect(
      auditor.replay(story.id, { kind: 'revision', revision: 12n }),
    ).rejects.toMatchObject({
      code: 'REVISION_NOT_FOUND',
    });
    const { agreementId } = await import('@twinning/domain/testing');
    await expect(
      auditor.replay(agreementId('11111111-2222-4333-8444-555555555555'), { kind: 'latest' }),
    ).rejects.toMatchObject({ code: 'AGREEMENT_NOT_FOUND' });
  });
});

describe('replay as recorded at a system time', () => {
  it('shows only what had been recorded by then', async () => {
    const { auditor, story } = await setUp();
    const before = await auditor.replay(story.id, {
      kind: 'recorded',
      at: at('2024-01-10T08:59:59Z'),
    });
    expect(before.view).toBeNull();
    const midFebruary = await auditor.replay(story.id, {
      kind: 'recorded',
      at: at('2024-02-15T00:00:00Z'),
    });
    expect(midFebruary.view?.lifecycleState).toBe('partially_signed');
    expect(midFebruary.view?.signatures.partner).toBeNull();
    expect(midFebruary.revision).toBe(6n);
    const lateSignature = await auditor.replay(story.id, {
      kind: 'recorded',
      at: at('2024-02-20T09:00:00Z'),
    });
    expect(lateSignature.view?.lifecycleState).toBe('signed');
    expect(lateSignature.inForce).toBe(false);
  });
});

describe('replay as in force on a business date', () => {
  it('places each act on its business date, as known today', async () => {
    const { auditor, story } = await setUp();
    const replayOn = (on: string) => auditor.replay(story.id, { kind: 'in_force', on: date(on) });
    // The partner signed on paper on 3 February: by the 4th both had signed.
    expect((await replayOn('2024-02-02')).view?.lifecycleState).toBe('partially_signed');
    expect((await replayOn('2024-02-04')).view?.lifecycleState).toBe('signed');
    expect((await replayOn('2024-02-05')).inForce).toBe(true);
    const suspended = await replayOn('2024-07-01');
    expect(suspended.view?.lifecycleState).toBe('suspended');
    expect(suspended.inForce).toBe(false);
    expect((await replayOn('2024-09-01')).inForce).toBe(true);
  });

  it('is bitemporal: the late-recorded signature changes what was known later, not what was known before', async () => {
    const { auditor, story } = await setUp();
    const on = date('2024-02-10');
    const knownBefore = await auditor.replay(story.id, {
      kind: 'in_force',
      on,
      knownAt: at('2024-02-15T12:00:00Z'),
    });
    expect(knownBefore.view?.lifecycleState).toBe('partially_signed');
    expect(knownBefore.inForce).toBe(false);
    const knownAfter = await auditor.replay(story.id, {
      kind: 'in_force',
      on,
      knownAt: at('2024-02-21T00:00:00Z'),
    });
    expect(knownAfter.inForce).toBe(true);
    expect(knownAfter.view?.dates.activatedOn).toBe('2024-02-05');
  });
});

describe('an event side by side', () => {
  it('gives the agreement before and after, with who, why and in reply to what', async () => {
    const { auditor, story } = await setUp();
    const change = await auditor.change(story.id, 10n);
    expect(change.type).toBe('AgreementSuspended');
    expect(change.before?.lifecycleState).toBe('active');
    expect(change.after?.lifecycleState).toBe('suspended');
    expect(change.reason).toBe('council vote on relations');
    expect(change.actor).toMatchObject({ role: 'clerk', municipality: 'gb-coventry' });
    expect(change.correlationId).toBe('correlation-9');
    expect(change.causationId).toBe('request-9');
    const proposal = await auditor.change(story.id, 0n);
    expect(proposal.before).toBeNull();
    expect(proposal.reason).toBeNull();
    await expect(auditor.change(story.id, 40n)).rejects.toMatchObject({
      code: 'REVISION_NOT_FOUND',
    });
  });
});

describe('partnerships in force on a date', () => {
  it('answers bitemporally, and agrees with a replay of each agreement on every day', async () => {
    const { store, story, auditor } = await setUp();
    const record = await inForceRecordFromLog(store.readAll());
    expect(
      (await record.partnershipsInForceOn(date('2024-02-10'))).map((p) => p.agreementId),
    ).toEqual([story.id]);
    expect(
      await record.partnershipsInForceOn(date('2024-02-10'), at('2024-02-15T00:00:00Z')),
    ).toEqual([]);
    expect(await record.partnershipsInForceOn(date('2024-07-01'))).toEqual([]);
    const [reinstated] = await record.partnershipsInForceOn(date('2024-12-31'));
    expect(reinstated).toMatchObject({
      proposer: { cityId: 'gb-coventry' },
      partner: { cityId: 'de-dresden' },
      inForceFrom: '2024-09-01',
      inForceUntil: null,
    });

    const timeline = await auditor.timelineOf(story.id);
    for (const knownAt of [undefined, at('2024-02-15T00:00:00Z'), at('2024-07-01T00:00:00Z')]) {
      for (let day = new Date('2024-01-01T00:00:00Z'); day < new Date('2025-01-01T00:00:00Z');) {
        const on = date(day.toISOString().slice(0, 10));
        const replayed = replayAgreement(timeline, {
          kind: 'in_force',
          on,
          ...(knownAt === undefined ? {} : { knownAt }),
        });
        const listed = (await record.partnershipsInForceOn(on, knownAt)).length === 1;
        expect({ on, knownAt, inForce: listed }).toEqual({
          on,
          knownAt,
          inForce: replayed.inForce,
        });
        day = new Date(day.getTime() + 86_400_000);
      }
    }
  });
});
