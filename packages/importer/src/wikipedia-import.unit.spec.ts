import { foldEvents, toAgreementView, upcast } from '@twinning/domain';
import { describe, expect, it } from 'vitest';
import { cityIdOf } from './city-ids.js';
import { countryCodeOf } from './countries.js';
import { DEFAULT_ILLUSTRATIVE_DATE, partnershipEvents } from './partnership-events.js';
import { agreementIdOfPair, partnershipsOf } from './partnerships.js';
import { CsvFormatError, cleanTwinningLink, parseTwinningCsv } from './twinning-links.js';
import { prepareImport } from './wikipedia-import.js';

const csv = (...lines: string[]) => ['city1,country1,city2,country2', ...lines].join('\n');

describe('countries', () => {
  it.each([
    ['Germany', 'DE'],
    ['England', 'GB'],
    ['England, United Kingdom', 'GB'],
    ['Scotland, United Kingdom', 'GB'],
    ['Wales', 'GB'],
    ['Northern Ireland, United Kingdom', 'GB'],
    ['United Kingdom', 'GB'],
    ['Republic of Ireland', 'IE'],
    ['Georgia (country)', 'GE'],
    ['Czech Republic', 'CZ'],
    ['Russia', 'RU'],
    ['Kosovo', 'XK'],
    ['Moldavia', 'MD'],
    ['Réunion, France', 'RE'],
    ['Åland Islands, Finland', 'AX'],
    ['Brandenburg, Germany', 'DE'],
    ['Ohio, United States', 'US'],
    ['São Tomé and Príncipe', 'ST'],
    ['Grece', 'GR'],
  ])('reads %s as %s', (spelling, code) => {
    expect(countryCodeOf(spelling)).toBe(code);
  });

  it('knows no country for an empty or unknown name', () => {
    expect(countryCodeOf('')).toBeUndefined();
    expect(countryCodeOf('Atlantis')).toBeUndefined();
  });
});

describe('city ids', () => {
  it('folds accents and punctuation into a stable slug', () => {
    expect(cityIdOf('GB', 'Coventry')).toBe('gb-coventry');
    expect(cityIdOf('FR', 'Saint-Étienne')).toBe('fr-saint-etienne');
    expect(cityIdOf('PL', 'Łódź')).toBe('pl-lodz');
    expect(cityIdOf('US', 'Coventry, Rhode Island')).toBe('us-coventry-rhode-island');
    expect(cityIdOf('GB', "King's Lynn")).toBe('gb-kings-lynn');
  });

  it('makes no id from a name without Latin letters or digits', () => {
    expect(cityIdOf('JP', '東京')).toBeUndefined();
  });
});

describe('reading rows', () => {
  it('finds the country inside the city field when the country column is empty', () => {
    const { links } = parseTwinningCsv(csv('Ningbo,China,"Varna, Bulgaria",'));
    const cleaned = cleanTwinningLink(links[0]!);
    expect(cleaned).toEqual({
      link: {
        line: 2,
        from: { cityId: 'cn-ningbo', name: 'Ningbo', country: 'CN' },
        to: { cityId: 'bg-varna', name: 'Varna', country: 'BG' },
      },
    });
  });

  it('takes a territory named as the city as its own country', () => {
    const { links } = parseTwinningCsv(csv('Portsmouth,England,Falkland Islands,'));
    expect(cleanTwinningLink(links[0]!)).toMatchObject({
      link: { to: { cityId: 'fk-falkland-islands', country: 'FK' } },
    });
  });

  it('reports rows it cannot use, with their line, instead of guessing', () => {
    const prepared = prepareImport(
      csv('Nowhere,Atlantis,Kiel,Germany', 'Kiel,Germany,Kiel,Germany', 'Kiel,Germany'),
    );
    expect(prepared.problems.map((problem) => [problem.line, problem.reason])).toEqual([
      [2, 'UNKNOWN_COUNTRY'],
      [3, 'SAME_CITY'],
      [4, 'MALFORMED_ROW'],
    ]);
    expect(prepared.partnerships).toEqual([]);
  });

  it('refuses a file without the expected header', () => {
    expect(() => parseTwinningCsv('a,b,c,d\nx,y,z,w')).toThrow(CsvFormatError);
    expect(() => parseTwinningCsv('city1,country1,city2,country2\n"unclosed')).toThrow(
      CsvFormatError,
    );
  });
});

describe('partnerships', () => {
  it('merges A→B and B→A, however the country is spelled, into one agreement', () => {
    const prepared = prepareImport(
      csv(
        'Coventry,England,Kiel,Germany',
        'Kiel,Germany,Coventry,"England, United Kingdom"',
        'Coventry,England,Dresden,Germany',
      ),
    );
    expect(prepared.partnerships).toHaveLength(2);
    const [kiel] = prepared.partnerships;
    expect(kiel).toMatchObject({
      proposer: { cityId: 'de-kiel' },
      partner: { cityId: 'gb-coventry' },
      lines: [2, 3],
    });
  });

  it('gives a pair the same id whichever way round, and different pairs different ids', () => {
    expect(agreementIdOfPair('gb-coventry', 'de-kiel')).toBe(
      agreementIdOfPair('de-kiel', 'gb-coventry'),
    );
    expect(agreementIdOfPair('gb-coventry', 'de-kiel')).not.toBe(
      agreementIdOfPair('gb-coventry', 'de-dresden'),
    );
  });

  it('ignores row order when choosing proposer and id', () => {
    const forwards = partnershipsOf(prepareImport(csv('Coventry,England,Kiel,Germany')).links);
    const backwards = partnershipsOf(prepareImport(csv('Kiel,Germany,Coventry,England')).links);
    expect(backwards.map(({ lines: _lines, ...rest }) => rest)).toEqual(
      forwards.map(({ lines: _lines, ...rest }) => rest),
    );
  });
});

describe('the events of an imported partnership', () => {
  const [partnership] = prepareImport(csv('Coventry,England,Kiel,Germany')).partnerships;
  const settings = {
    illustrativeDate: DEFAULT_ILLUSTRATIVE_DATE,
    recordedAt: new Date('2026-01-01T00:00:00Z'),
    correlationId: 'test',
  };

  it('are decided by the lifecycle and end in an active sister-city partnership', () => {
    const toAppend = partnershipEvents(partnership!, settings);
    expect(toAppend.map((event) => event.type)).toEqual([
      'AgreementProposed',
      'TermsAccepted',
      'TermsAccepted',
      'TermsAgreed',
      'SignatureRecorded',
      'SignatureRecorded',
      'AgreementSigned',
      'AgreementActivated',
    ]);
    const events = toAppend.map((event) => {
      const read = upcast(event.type, 1, event.data);
      if (!read.ok) throw new Error(read.error.message);
      return read.value;
    });
    const view = toAgreementView(foldEvents(events));
    expect(view).toMatchObject({
      lifecycleState: 'active',
      proposer: { cityId: 'de-kiel', name: 'Kiel', country: 'DE' },
      partner: { cityId: 'gb-coventry', name: 'Coventry', country: 'GB' },
      terms: { kind: 'sister_city', title: 'Twinning of Kiel and Coventry' },
      dates: { activatedOn: '2000-01-01' },
    });
  });

  it('are the same on every run, ids included', () => {
    const again = partnershipEvents(partnership!, settings);
    expect(again).toEqual(partnershipEvents(partnership!, settings));
    expect(new Set(again.map((event) => event.id)).size).toBe(again.length);
  });
});
