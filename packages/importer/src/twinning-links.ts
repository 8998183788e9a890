import type { CityId } from '@twinning/domain';
import { parse } from 'csv-parse/sync';
import { cityIdOf } from './city-ids.js';
import { countryCodeOf } from './countries.js';

/** One row of the Wikipedia file as written: `city1,country1,city2,country2`. */
export interface RawTwinningLink {
  /** 1-based line number in the file, the header being line 1. */
  readonly line: number;
  readonly city1: string;
  readonly country1: string;
  readonly city2: string;
  readonly country2: string;
}

export interface LinkedCity {
  readonly cityId: CityId;
  readonly name: string;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
}

/** A row whose two cities could be identified. */
export interface TwinningLink {
  readonly line: number;
  readonly from: LinkedCity;
  readonly to: LinkedCity;
}

export type LinkProblemReason =
  'UNKNOWN_COUNTRY' | 'UNNAMEABLE_CITY' | 'SAME_CITY' | 'MALFORMED_ROW';

/** A row left out, and why: the import reports these rather than guessing. */
export interface LinkProblem {
  readonly line: number;
  readonly reason: LinkProblemReason;
  readonly message: string;
}

export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}

const EXPECTED_HEADER = ['city1', 'country1', 'city2', 'country2'];

/** Parses the file's text; a file without the expected header is refused as a whole. */
export const parseTwinningCsv = (
  text: string,
): { readonly links: RawTwinningLink[]; readonly problems: LinkProblem[] } => {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true });
  } catch (error) {
    throw new CsvFormatError(`the file is not valid CSV: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (header === undefined || header.map((cell) => cell.trim()).join() !== EXPECTED_HEADER.join()) {
    throw new CsvFormatError(`the first line must be the header ${EXPECTED_HEADER.join(',')}`);
  }
  const links: RawTwinningLink[] = [];
  const problems: LinkProblem[] = [];
  rows.forEach((row, index) => {
    const line = index + 2;
    const [city1, country1, city2, country2] = row;
    if (
      row.length !== 4 ||
      city1 === undefined ||
      country1 === undefined ||
      city2 === undefined ||
      country2 === undefined
    ) {
      problems.push({
        line,
        reason: 'MALFORMED_ROW',
        message: `expected 4 fields, found ${row.length}`,
      });
      return;
    }
    links.push({ line, city1, country1, city2, country2 });
  });
  return { links, problems };
};

type CityResult = { readonly city: LinkedCity } | { readonly problem: Omit<LinkProblem, 'line'> };

/**
 * Identifies one side of a link. Where the country column is empty, the country may sit in the
 * city field (`Varna, Bulgaria`), or the "city" is a territory with a code of its own
 * (`Falkland Islands`).
 */
const identifyCity = (rawName: string, rawCountry: string): CityResult => {
  let name = rawName.trim().replace(/\s+/g, ' ');
  let country = countryCodeOf(rawCountry);
  if (rawCountry.trim() === '') {
    const comma = name.lastIndexOf(',');
    const trailing = comma < 0 ? undefined : countryCodeOf(name.slice(comma + 1));
    if (trailing !== undefined) {
      country = trailing;
      name = name.slice(0, comma).trim();
    } else {
      country = countryCodeOf(name);
    }
  }
  if (country === undefined) {
    return {
      problem: {
        reason: 'UNKNOWN_COUNTRY',
        message: `no ISO 3166 country for ${JSON.stringify(rawCountry)} (city ${JSON.stringify(rawName)})`,
      },
    };
  }
  const cityId = name === '' ? undefined : cityIdOf(country, name);
  if (cityId === undefined) {
    return {
      problem: {
        reason: 'UNNAMEABLE_CITY',
        message: `no city id can be made from ${JSON.stringify(rawName)}`,
      },
    };
  }
  return { city: { cityId, name, country } };
};

/** A raw row as a link between two identified cities, or the reason it cannot be one. */
export const cleanTwinningLink = (
  raw: RawTwinningLink,
): { readonly link: TwinningLink } | { readonly problem: LinkProblem } => {
  const from = identifyCity(raw.city1, raw.country1);
  if ('problem' in from) return { problem: { line: raw.line, ...from.problem } };
  const to = identifyCity(raw.city2, raw.country2);
  if ('problem' in to) return { problem: { line: raw.line, ...to.problem } };
  if (from.city.cityId === to.city.cityId) {
    return {
      problem: {
        line: raw.line,
        reason: 'SAME_CITY',
        message: `${from.city.cityId} is linked to itself`,
      },
    };
  }
  return { link: { line: raw.line, from: from.city, to: to.city } };
};
