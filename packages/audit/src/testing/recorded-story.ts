import { executeAgreementCommand } from '@twinning/agreements';
import type { AgreementId, Command } from '@twinning/domain';
import { coventry, dresden, storyOf, type AgreementStory } from '@twinning/domain/testing';
import type { EventStore } from '@twinning/event-store';

/** Runs commands through the application path, each recorded at a chosen system time. */
export const recorder = (store: EventStore) => {
  let step = 0;
  return async (recordedAt: string, command: Command): Promise<void> => {
    step += 1;
    const result = await executeAgreementCommand(
      {
        store,
        now: () => new Date(recordedAt),
        citiesWithClerks: (cityIds) => Promise.resolve(cityIds),
      },
      {
        agreementId: command.agreementId,
        command,
        correlationId: `correlation-${step}`,
        causationId: `request-${step}`,
      },
    );
    if (!result.ok) {
      throw new Error(`${command.type} was refused: ${JSON.stringify(result.error)}`);
    }
  };
};

/**
 * Coventry and Dresden, with Dresden's signature made on paper on 3 February but recorded only
 * on 20 February, together with the activation effective from 5 February; then a suspension
 * and a reinstatement.
 */
export const recordLateSignatureStory = async (
  store: EventStore,
  id?: AgreementId,
): Promise<AgreementStory> => {
  const story = storyOf({
    proposer: coventry,
    partner: dresden,
    ...(id === undefined ? {} : { id }),
  });
  const record = recorder(store);
  await record('2024-01-10T09:00:00.000Z', story.propose('2024-01-10'));
  await record('2024-01-11T09:00:00.000Z', story.accept('proposer', '2024-01-11'));
  await record('2024-01-12T09:00:00.000Z', story.accept('partner', '2024-01-12'));
  await record('2024-01-20T09:00:00.000Z', story.approve('proposer', '2024-01-20'));
  await record('2024-01-21T09:00:00.000Z', story.approve('partner', '2024-01-21'));
  await record('2024-02-01T09:00:00.000Z', story.sign('proposer', '2024-02-01'));
  await record('2024-02-20T09:00:00.000Z', story.sign('partner', '2024-02-03'));
  await record('2024-02-20T10:00:00.000Z', story.activate('proposer', '2024-02-05'));
  await record(
    '2024-06-01T09:00:00.000Z',
    story.suspend('proposer', '2024-06-01', { reason: 'council vote on relations' }),
  );
  await record('2024-09-01T09:00:00.000Z', story.reinstate('proposer', '2024-09-01'));
  return story;
};
