import type { KeyValueStorage } from './session';

/**
 * The sign-in in flight between leaving for the identity provider and coming back: its PKCE
 * verifier and state, and the page to return to. Kept in sessionStorage (this tab only), taken
 * exactly once, and refused when older than ten minutes.
 */
export interface PendingSignIn {
  readonly state: string;
  readonly codeVerifier: string;
  /** The hash route the user was on (`#/agreements/…`). */
  readonly returnTo: string;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
}

export const PENDING_SIGN_IN_KEY = 'twinning.oidc.pending';
export const PENDING_SIGN_IN_MAX_AGE_MS = 10 * 60 * 1000;

export const savePendingSignIn = (storage: KeyValueStorage, pending: PendingSignIn): void => {
  storage.setItem(PENDING_SIGN_IN_KEY, JSON.stringify(pending));
};

/** The pending sign-in, removed from storage; `null` when there is none or it is stale. */
export const takePendingSignIn = (storage: KeyValueStorage, now: number): PendingSignIn | null => {
  const stored = storage.getItem(PENDING_SIGN_IN_KEY);
  storage.removeItem(PENDING_SIGN_IN_KEY);
  if (stored === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { state, codeVerifier, returnTo, startedAt } = value as Record<string, unknown>;
  if (
    typeof state !== 'string' ||
    state === '' ||
    typeof codeVerifier !== 'string' ||
    codeVerifier === '' ||
    typeof returnTo !== 'string' ||
    typeof startedAt !== 'number'
  ) {
    return null;
  }
  if (now - startedAt > PENDING_SIGN_IN_MAX_AGE_MS || startedAt > now) return null;
  return { state, codeVerifier, returnTo: safeReturnTo(returnTo), startedAt };
};

/** Only a hash route of this workspace is a place to return to; anything else is the start. */
export const safeReturnTo = (returnTo: string): string =>
  /^#\/[A-Za-z0-9._~%/?&=-]*$/.test(returnTo) ? returnTo : '#/';

export type CallbackOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'code' }
  | { readonly kind: 'error'; readonly error: string; readonly description: string | null };

/** Whether the page was opened as the identity provider's redirect back (`/?code=…&state=…`). */
export const callbackOutcomeOf = (url: URL): CallbackOutcome => {
  const error = url.searchParams.get('error');
  if (error !== null && url.searchParams.has('state')) {
    return { kind: 'error', error, description: url.searchParams.get('error_description') };
  }
  if (url.searchParams.has('code') && url.searchParams.has('state')) return { kind: 'code' };
  return { kind: 'none' };
};

const CALLBACK_PARAMETERS = [
  'code',
  'state',
  'iss',
  'session_state',
  'error',
  'error_description',
  'error_uri',
];

/** The address without the redirect's parameters, so neither history nor a reload replays them. */
export const cleanCallbackUrl = (url: URL, returnTo: string): string => {
  const clean = new URL(url.href);
  for (const name of CALLBACK_PARAMETERS) clean.searchParams.delete(name);
  clean.hash = returnTo;
  return `${clean.pathname}${clean.search}${clean.hash}`;
};

/** The redirect URI registered with the identity provider: the workspace's root. */
export const redirectUriOf = (origin: string): string => `${origin}/`;
