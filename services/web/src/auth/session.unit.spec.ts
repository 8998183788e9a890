import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../testing/memory-storage';
import { SESSION_KEY, claimsOf, hasRole, loadSession, saveSession, sessionOf } from './session';

const base64Url = (value: unknown): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const jwt = (claims: Record<string, unknown>): string =>
  `${base64Url({ alg: 'HS256', typ: 'JWT' })}.${base64Url(claims)}.signature`;

const clerk = jwt({
  sub: 'dev:clerk:gb-coventry:Coventry clerk',
  name: 'Coventry clerk – Zoë',
  roles: ['clerk', 'superuser'],
  municipality: 'gb-coventry',
  exp: Date.parse('2030-01-01T00:00:00Z') / 1000,
});

describe('the signed-in session', () => {
  it('reads who is signed in from the token, keeping only roles the workspace knows', () => {
    expect(claimsOf(clerk)).toEqual({
      subject: 'dev:clerk:gb-coventry:Coventry clerk',
      name: 'Coventry clerk – Zoë',
      roles: ['clerk'],
      municipality: 'gb-coventry',
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
  });

  it('falls back to the subject for a name, and reads no claims from what is not a JWT', () => {
    expect(claimsOf(jwt({ sub: 'auditor-7', roles: ['auditor'] }))?.name).toBe('auditor-7');
    expect(claimsOf('opaque-token')).toBeNull();
    expect(claimsOf('a.%%%.c')).toBeNull();
    expect(claimsOf(jwt({ name: 'no subject' }))).toBeNull();
  });

  it('is kept in storage until it expires', () => {
    const storage = memoryStorage();
    const session = sessionOf(clerk, '2029-06-01T00:00:00Z');
    expect(session).not.toBeNull();
    if (session === null) return;
    saveSession(storage, session);
    expect(loadSession(storage, new Date('2029-05-31T23:59:59Z'))).toEqual(session);
    expect(hasRole(session, 'clerk')).toBe(true);
    expect(hasRole(session, 'admin')).toBe(false);
    expect(loadSession(storage, new Date('2029-06-01T00:00:00Z'))).toBeNull();
    expect(storage.getItem(SESSION_KEY)).toBeNull();
  });

  it('drops an unreadable stored session', () => {
    const storage = memoryStorage();
    storage.setItem(SESSION_KEY, '{not json');
    expect(loadSession(storage, new Date())).toBeNull();
    expect(storage.size()).toBe(0);
  });
});
