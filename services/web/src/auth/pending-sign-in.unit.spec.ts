import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../testing/memory-storage';
import {
  PENDING_SIGN_IN_KEY,
  PENDING_SIGN_IN_MAX_AGE_MS,
  callbackOutcomeOf,
  cleanCallbackUrl,
  redirectUriOf,
  safeReturnTo,
  savePendingSignIn,
  takePendingSignIn,
} from './pending-sign-in';

const pending = {
  state: 'st4te',
  codeVerifier: 'v'.repeat(43),
  returnTo: '#/agreements/123',
  startedAt: 1_000_000,
};

describe('a sign-in in flight (authorisation code with PKCE)', () => {
  it('is taken back exactly once', () => {
    const storage = memoryStorage();
    savePendingSignIn(storage, pending);
    expect(takePendingSignIn(storage, pending.startedAt + 5_000)).toEqual(pending);
    expect(takePendingSignIn(storage, pending.startedAt + 5_000)).toBeNull();
  });

  it('is refused when too old, from the future, or damaged, and removed all the same', () => {
    const storage = memoryStorage();
    savePendingSignIn(storage, pending);
    expect(
      takePendingSignIn(storage, pending.startedAt + PENDING_SIGN_IN_MAX_AGE_MS + 1),
    ).toBeNull();
    savePendingSignIn(storage, pending);
    expect(takePendingSignIn(storage, pending.startedAt - 1)).toBeNull();
    storage.setItem(PENDING_SIGN_IN_KEY, JSON.stringify({ ...pending, codeVerifier: '' }));
    expect(takePendingSignIn(storage, pending.startedAt)).toBeNull();
    storage.setItem(PENDING_SIGN_IN_KEY, 'garbage');
    expect(takePendingSignIn(storage, pending.startedAt)).toBeNull();
    expect(storage.size()).toBe(0);
  });

  it('returns only to a page of the workspace', () => {
    const storage = memoryStorage();
    savePendingSignIn(storage, { ...pending, returnTo: 'https://evil.example/' });
    expect(takePendingSignIn(storage, pending.startedAt)?.returnTo).toBe('#/');
    expect(safeReturnTo('#/agreements?state=active')).toBe('#/agreements?state=active');
    expect(safeReturnTo('javascript:alert(1)')).toBe('#/');
  });
});

describe('the redirect back from the identity provider', () => {
  it('is told apart from an ordinary visit and from a refusal', () => {
    expect(callbackOutcomeOf(new URL('https://twinning.example/#/agreements'))).toEqual({
      kind: 'none',
    });
    expect(callbackOutcomeOf(new URL('https://twinning.example/?code=abc&state=st4te'))).toEqual({
      kind: 'code',
    });
    expect(
      callbackOutcomeOf(
        new URL(
          'https://twinning.example/?error=access_denied&error_description=User+cancelled&state=st4te',
        ),
      ),
    ).toEqual({ kind: 'error', error: 'access_denied', description: 'User cancelled' });
    expect(callbackOutcomeOf(new URL('https://twinning.example/?code=abc'))).toEqual({
      kind: 'none',
    });
  });

  it('is cleaned from the address, which returns to the page the user was on', () => {
    expect(
      cleanCallbackUrl(
        new URL('https://twinning.example/?code=abc&state=st4te&iss=https%3A%2F%2Fidp&keep=1'),
        '#/agreements/123',
      ),
    ).toBe('/?keep=1#/agreements/123');
  });

  it('comes back to the workspace root', () => {
    expect(redirectUriOf('https://twinning.example')).toBe('https://twinning.example/');
  });
});
