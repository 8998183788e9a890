import countries from 'i18n-iso-countries';
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

countries.registerLocale(english);

/**
 * Names the data uses that the ISO register does not: the nations of the United Kingdom, older
 * or local names, and the file's own misspellings. Keys are folded like lookups are.
 */
const ALIASES: Readonly<Record<string, string>> = {
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  'united kingdom': 'GB',
  'republic of ireland': 'IE',
  'georgia (country)': 'GE',
  moldova: 'MD',
  moldavia: 'MD',
  syria: 'SY',
  laos: 'LA',
  brunei: 'BN',
  'east timor': 'TL',
  micronesia: 'FM',
  'federated states of micronesia': 'FM',
  'falkland islands': 'FK',
  'west bank': 'PS',
  // Not recognised as a state; its towns are in Cyprus as ISO 3166 draws it.
  'northern cyprus': 'CY',
  'bosnia and hercegovina': 'BA',
  macedonia: 'MK',
  vatican: 'VA',
  // Misspellings and other languages in the source.
  island: 'IS',
  japa: 'JP',
  grece: 'GR',
  kazakhstah: 'KZ',
  madagaskar: 'MG',
  surinam: 'SR',
  'in italy': 'IT',
};

const fold = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();

const codeOfName = (name: string): string | undefined => {
  const folded = fold(name);
  if (folded === '') return undefined;
  return (
    ALIASES[folded] ??
    countries.getAlpha2Code(name.trim(), 'en') ??
    countries.getAlpha2Code(folded, 'en')
  );
};

/**
 * The ISO 3166-1 alpha-2 code of a country as the data spells it, or `undefined`. A qualified
 * name (`England, United Kingdom`, `Réunion, France`, `Brandenburg, Germany`) is read from its
 * most specific part that is a country: Réunion keeps its own code, Brandenburg falls back to DE.
 */
export const countryCodeOf = (spelling: string): string | undefined => {
  const whole = codeOfName(spelling);
  if (whole !== undefined) return whole;
  for (const part of spelling.split(',')) {
    const code = codeOfName(part);
    if (code !== undefined) return code;
  }
  return undefined;
};
