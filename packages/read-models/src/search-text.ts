/**
 * Folds text for accent-insensitive search: `Saint-Étienne`, `saint etienne` and `SAINT-ETIENNE`
 * meet. Done here rather than with PostgreSQL's `unaccent`, which embedded PGlite does not load,
 * so both databases index and query exactly the same words.
 */

// Letters that carry no combining mark to strip: NFKD leaves them whole.
const LETTERS_WITHOUT_DECOMPOSITION: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};

export const foldForSearch = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþıħ]/g, (letter) => LETTERS_WITHOUT_DECOMPOSITION[letter] ?? letter);

/** The words of folded text: runs of letters and digits. */
export const searchWordsOf = (text: string): string[] =>
  foldForSearch(text).match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * A `to_tsquery('simple', …)` expression matching every word of the query as a prefix
 * (`cov dres` finds Coventry–Dresden), or `undefined` when the query has no words. The words
 * hold only letters and digits, so they cannot carry tsquery operators.
 */
export const prefixQueryOf = (query: string): string | undefined => {
  const words = searchWordsOf(query);
  return words.length === 0 ? undefined : words.map((word) => `${word}:*`).join(' & ');
};
