import { describe, expect, it } from 'vitest';
import { messagesEn } from './messages.en';
import {
  createTranslator,
  formatDate,
  formatDateTime,
  formatList,
  formatNumber,
  stateLabel,
} from './translate';

describe('the translator', () => {
  it('fills placeholders, numbers in the locale’s way', () => {
    const en = createTranslator(messagesEn, 'en-GB');
    expect(en('list.results', { count: 1234 })).toBe('Agreements shown: 1,234');
    const de = createTranslator(messagesEn, 'de-DE');
    expect(de('list.results', { count: 1234 })).toBe('Agreements shown: 1.234');
    expect(en('session.signedInAs', { name: 'Coventry clerk' })).toBe(
      'Signed in as Coventry clerk',
    );
  });

  it('leaves a placeholder without a value in view rather than dropping it', () => {
    const en = createTranslator(messagesEn, 'en');
    expect(en('session.signedInAs')).toBe('Signed in as {name}');
  });

  it('labels the API’s names, and shows a name it has no label for as it is', () => {
    expect(stateLabel('partially_signed')).toBe('Partially signed');
    expect(stateLabel('hibernating')).toBe('hibernating');
  });

  it('keeps every message non-empty', () => {
    for (const [key, text] of Object.entries(messagesEn)) expect(text, key).not.toBe('');
  });
});

describe('dates and numbers in the user’s locale', () => {
  it('shows a calendar date on its own day in every locale and time zone', () => {
    expect(formatDate('1956-03-01', 'en-GB')).toBe('1 March 1956');
    expect(formatDate('1956-03-01', 'en-US')).toBe('March 1, 1956');
    expect(formatDate('1956-03-01', 'de-DE')).toBe('1. März 1956');
  });

  it('shows an instant in the given time zone', () => {
    const text = formatDateTime('2024-05-20T23:30:00Z', 'en-GB', 'Europe/Berlin');
    expect(text).toContain('21 May 2024');
    expect(text).toContain('01:30');
  });

  it('leaves what is not a date as it is', () => {
    expect(formatDate('someday', 'en-GB')).toBe('someday');
    expect(formatDateTime('never', 'en-GB')).toBe('never');
  });

  it('formats numbers and lists', () => {
    expect(formatNumber(1234567.5, 'en-GB')).toBe('1,234,567.5');
    expect(formatNumber(1234567.5, 'fr-FR')).toMatch(/^1\s234\s567,5$/u);
    expect(formatList(['Culture', 'Youth', 'Heritage'], 'en-GB')).toBe(
      'Culture, Youth and Heritage',
    );
  });
});
