import type { PrefixesFilter, RegexFilter } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import {
  buildServerFilter,
  exactEventTypesRegex,
  isSystemEvent,
  matchesEventFilter,
} from './event-filter.js';

describe('matchesEventFilter', () => {
  it('never lets system streams or system event types through', () => {
    expect(isSystemEvent('$stats-127.0.0.1:2113', 'StatsCollected')).toBe(true);
    expect(isSystemEvent('agreement-1', '$metadata')).toBe(true);
    expect(matchesEventFilter(undefined, '$$agreement-1', '$metadata')).toBe(false);
    expect(matchesEventFilter(undefined, '$ce-agreement', 'AgreementSigned')).toBe(false);
    expect(matchesEventFilter(undefined, 'agreement-1', 'AgreementSigned')).toBe(true);
  });

  it('keeps events whose stream starts with one of the prefixes', () => {
    const filter = { streamPrefixes: ['agreement-', 'webhook-'] };
    expect(matchesEventFilter(filter, 'agreement-9', 'AgreementSigned')).toBe(true);
    expect(matchesEventFilter(filter, 'webhook-2', 'DeliveryFailed')).toBe(true);
    expect(matchesEventFilter(filter, 'city-1', 'CityRenamed')).toBe(false);
  });

  it('keeps events of the listed types only, matched exactly', () => {
    const filter = { eventTypes: ['AgreementSigned'] };
    expect(matchesEventFilter(filter, 'agreement-1', 'AgreementSigned')).toBe(true);
    expect(matchesEventFilter(filter, 'agreement-1', 'AgreementSignedTwice')).toBe(false);
  });

  it('applies both criteria together, and treats empty lists as no criterion', () => {
    const both = { streamPrefixes: ['agreement-'], eventTypes: ['AgreementSigned'] };
    expect(matchesEventFilter(both, 'agreement-1', 'AgreementSigned')).toBe(true);
    expect(matchesEventFilter(both, 'agreement-1', 'TermsAccepted')).toBe(false);
    expect(matchesEventFilter(both, 'city-1', 'AgreementSigned')).toBe(false);
    expect(matchesEventFilter({ streamPrefixes: [], eventTypes: [] }, 'city-1', 'X')).toBe(true);
  });
});

describe('exactEventTypesRegex', () => {
  it('matches the listed types exactly, with regex characters taken literally', () => {
    const regex = new RegExp(exactEventTypesRegex(['AgreementSigned', 'Terms.Accepted(v2)']));
    expect(regex.test('AgreementSigned')).toBe(true);
    expect(regex.test('Terms.Accepted(v2)')).toBe(true);
    expect(regex.test('TermsXAccepted(v2)')).toBe(false);
    expect(regex.test('AgreementSignedLater')).toBe(false);
    expect(regex.test('PreAgreementSigned')).toBe(false);
  });
});

describe('buildServerFilter', () => {
  it('excludes system events on the server when the caller filters nothing', () => {
    const filter = buildServerFilter({
      filter: undefined,
      checkpointInterval: 1000,
    }) as RegexFilter;
    expect(filter.filterOn).toBe('eventType');
    const regex = new RegExp(filter.regex);
    expect(regex.test('$metadata')).toBe(false);
    expect(regex.test('AgreementSigned')).toBe(true);
  });

  it('sends stream prefixes to the server as a stream-name prefix filter', () => {
    const filter = buildServerFilter({
      filter: { streamPrefixes: ['agreement-'], eventTypes: ['AgreementSigned'] },
      checkpointInterval: 10,
    }) as PrefixesFilter;
    expect(filter).toMatchObject({ filterOn: 'streamName', prefixes: ['agreement-'] });
  });

  it('sends event types as an exact event-type regex', () => {
    const filter = buildServerFilter({
      filter: { eventTypes: ['AgreementSigned', 'AgreementActivated'] },
      checkpointInterval: 10,
    }) as RegexFilter;
    expect(filter.filterOn).toBe('eventType');
    expect(new RegExp(filter.regex).test('AgreementActivated')).toBe(true);
    expect(new RegExp(filter.regex).test('AgreementProposed')).toBe(false);
  });

  it('does not narrow by prefix when one of them is empty (it matches every stream)', () => {
    const filter = buildServerFilter({
      filter: { streamPrefixes: ['agreement-', ''] },
      checkpointInterval: 10,
    });
    expect(filter.filterOn).toBe('eventType');
  });

  it.each([
    [1, 1, 1],
    [10, 10, 1],
    [500, 500, 1],
    [1000, 500, 2],
    [1200, 500, 3],
  ])(
    'spaces checkpoints %i events apart as a %i-event window times %i',
    (interval, window, multiplier) => {
      const filter = buildServerFilter({ filter: undefined, checkpointInterval: interval });
      expect(filter.maxSearchWindow).toBe(window);
      expect(filter.checkpointInterval).toBe(multiplier);
    },
  );

  it.each([0, -5, 2.5, Number.NaN])('refuses checkpointInterval %s', (interval) => {
    expect(() => buildServerFilter({ filter: undefined, checkpointInterval: interval })).toThrow(
      RangeError,
    );
  });
});
