import { randomBytes } from 'node:crypto';
import { mintDevToken, type Role } from '@twinning/api';

/**
 * The people who use the API in these tests, with development tokens signed by the default dev
 * secret (the one an app built with `AUTH_MODE=dev` and no `AUTH_DEV_SECRET` verifies).
 */
export interface Person {
  readonly subject: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly municipality?: string;
}

export const people = {
  coventryClerk: {
    subject: 'clerk@gb-coventry',
    name: 'Clerk of Coventry',
    roles: ['clerk'],
    municipality: 'gb-coventry',
  },
  dresdenClerk: {
    subject: 'clerk@de-dresden',
    name: 'Clerk of Dresden',
    roles: ['clerk'],
    municipality: 'de-dresden',
  },
  /** A clerk of a city that is party to none of the agreements in the stories. */
  kielClerk: {
    subject: 'clerk@de-kiel',
    name: 'Clerk of Kiel',
    roles: ['clerk'],
    municipality: 'de-kiel',
  },
  auditor: { subject: 'auditor@example.org', name: 'Auditor', roles: ['auditor'] },
  admin: { subject: 'admin@example.org', name: 'Administrator', roles: ['admin'] },
} as const satisfies Record<string, Person>;

export type PersonName = keyof typeof people;

export const tokenFor = (person: Person, options: { secret?: string } = {}): Promise<string> =>
  mintDevToken({
    subject: person.subject,
    name: person.name,
    roles: person.roles,
    ...(person.municipality === undefined ? {} : { municipality: person.municipality }),
    ...(options.secret === undefined ? {} : { secret: options.secret }),
  });

export const tokensFor = async (): Promise<Record<PersonName, string>> => {
  const entries = await Promise.all(
    Object.entries(people).map(async ([name, person]) => [name, await tokenFor(person)] as const),
  );
  return Object.fromEntries(entries) as Record<PersonName, string>;
};

/** A token that would be valid, except that it expired an hour ago. */
export const expiredTokenFor = (person: Person): Promise<string> =>
  mintDevToken({
    subject: person.subject,
    name: person.name,
    roles: person.roles,
    ...(person.municipality === undefined ? {} : { municipality: person.municipality }),
    // A number is an absolute expiry time in seconds since the epoch.
    expiresIn: Math.floor(Date.now() / 1000) - 3600,
  });

/** The same claims, signed with a secret the API does not know. */
export const forgedTokenFor = (person: Person): Promise<string> =>
  tokenFor(person, { secret: randomBytes(32).toString('hex') });
