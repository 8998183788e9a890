/** The API's own rules for single values, checked before anything is sent. */

/** A real calendar date written `YYYY-MM-DD`. */
export const isIsoDate = (value: string): boolean => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return false;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
};

/** A city's stable id: lowercase ISO country code, a dash, a lowercase slug (`gb-coventry`). */
export const isCityId = (value: string): boolean =>
  /^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value);

/** ISO 3166-1 alpha-2, upper case. */
export const isCountryCode = (value: string): boolean => /^[A-Z]{2}$/.test(value);

export const isPositiveWholeNumber = (value: string): boolean =>
  /^\d+$/.test(value) && Number(value) >= 1 && Number.isSafeInteger(Number(value));

/** An absolute http(s) URL without credentials; the server checks the address itself. */
export const isWebhookUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
};
