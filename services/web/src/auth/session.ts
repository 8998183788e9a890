import { ROLES, type Role } from '../api/types';

/** The part of `Storage` the workspace uses (sessionStorage in the browser). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Who is signed in, read from the claims of their bearer token. */
export interface Claims {
  readonly subject: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly municipality: string | null;
}

export interface Session {
  readonly token: string;
  /** ISO instant after which the API refuses the token. */
  readonly expiresAt: string;
  readonly claims: Claims;
}

/** Where the session is kept: sessionStorage, so it ends with the tab and is not shared. */
export const SESSION_KEY = 'twinning.session';

const base64UrlDecode = (text: string): string => {
  const base64 = text.replaceAll('-', '+').replaceAll('_', '/');
  const padded = base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=');
  const bytes = Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
  return new TextDecoder().decode(bytes);
};

const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/**
 * The claims of a JWT, read without verifying it: the API verifies every request; the workspace
 * only needs to know whom to greet and which pages to offer. `null` for anything not a JWT.
 */
export const claimsOf = (
  token: string,
): (Claims & { readonly expiresAt: string | null }) | null => {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(base64UrlDecode(payload));
  } catch {
    return null;
  }
  if (typeof claims !== 'object' || claims === null) return null;
  const { sub, name, roles, municipality, exp } = claims as Record<string, unknown>;
  if (typeof sub !== 'string') return null;
  return {
    subject: sub,
    name: typeof name === 'string' && name !== '' ? name : sub,
    roles: Array.isArray(roles) ? roles.filter(isRole) : [],
    municipality: typeof municipality === 'string' ? municipality : null,
    expiresAt: typeof exp === 'number' ? new Date(exp * 1000).toISOString() : null,
  };
};

/** A session for a token; its expiry from the answer that issued it, else from the token. */
export const sessionOf = (token: string, expiresAt?: string): Session | null => {
  const claims = claimsOf(token);
  if (claims === null) return null;
  const { expiresAt: fromToken, ...who } = claims;
  const expiry = expiresAt ?? fromToken;
  if (expiry === null) return null;
  return { token, expiresAt: expiry, claims: who };
};

export const isExpired = (session: Session, now: Date): boolean =>
  Date.parse(session.expiresAt) <= now.getTime();

export const loadSession = (storage: KeyValueStorage, now: Date): Session | null => {
  const stored = storage.getItem(SESSION_KEY);
  if (stored === null) return null;
  try {
    const { token, expiresAt } = JSON.parse(stored) as Record<string, unknown>;
    const session =
      typeof token === 'string' && typeof expiresAt === 'string'
        ? sessionOf(token, expiresAt)
        : null;
    if (session !== null && !isExpired(session, now)) return session;
  } catch {
    // An unreadable entry is as good as none.
  }
  storage.removeItem(SESSION_KEY);
  return null;
};

export const saveSession = (storage: KeyValueStorage, session: Session): void => {
  storage.setItem(
    SESSION_KEY,
    JSON.stringify({ token: session.token, expiresAt: session.expiresAt }),
  );
};

export const clearSession = (storage: KeyValueStorage): void => {
  storage.removeItem(SESSION_KEY);
};

export const hasRole = (session: Session | null, role: Role): boolean =>
  session?.claims.roles.includes(role) ?? false;
