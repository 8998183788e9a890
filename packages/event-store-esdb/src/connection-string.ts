import { InvalidConnectionStringError } from './errors.js';

/**
 * KurrentDB (the renamed EventStoreDB) documents `kurrentdb://` URLs and their short forms; the
 * 6.x client only parses `esdb://` and `esdb+discover://`. The rest of the URL has the same
 * grammar, so only the scheme is rewritten.
 */
const schemeAliases: ReadonlyMap<string, string> = new Map([
  ['esdb', 'esdb'],
  ['esdb+discover', 'esdb+discover'],
  ['kurrentdb', 'esdb'],
  ['kurrentdb+discover', 'esdb+discover'],
  ['kurrent', 'esdb'],
  ['kurrent+discover', 'esdb+discover'],
  ['kdb', 'esdb'],
  ['kdb+discover', 'esdb+discover'],
]);

const acceptedSchemes = [...schemeAliases.keys()].map((scheme) => `${scheme}://`).join(', ');

/** Rewrites the scheme to one the client accepts; throws `InvalidConnectionStringError` otherwise. */
export const normaliseConnectionString = (connectionString: string): string => {
  const trimmed = connectionString.trim();
  const match = /^([a-z+]+):\/\//i.exec(trimmed);
  const scheme = match?.[1]?.toLowerCase();
  const clientScheme = scheme === undefined ? undefined : schemeAliases.get(scheme);
  if (match === null || clientScheme === undefined) {
    throw new InvalidConnectionStringError(`expected one of ${acceptedSchemes}`);
  }
  const rest = trimmed.slice(match[0].length);
  if (rest.length === 0) throw new InvalidConnectionStringError('no host given');
  return `${clientScheme}://${rest}`;
};
