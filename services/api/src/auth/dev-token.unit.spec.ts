import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from './auth-config.js';
import { mintDevToken, parseMintTokenArguments } from './dev-token.js';
import { createTokenVerifier } from './token-verifier.js';

const devVerifier = createTokenVerifier(loadAuthConfig({}));

describe('mintDevToken', () => {
  it('mints an HS256 token that dev mode accepts as the named actor', async () => {
    const token = await mintDevToken({
      subject: 'clerk-17',
      name: 'Coventry clerk',
      roles: ['clerk'],
      municipality: 'gb-coventry',
      expiresIn: '15m',
    });
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const claims = decodeJwt(token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(15 * 60);
    expect(await devVerifier.verify(token)).toEqual({
      subject: 'clerk-17',
      displayName: 'Coventry clerk',
      roles: ['clerk'],
      municipality: 'gb-coventry',
    });
  });

  it('is refused by a verifier with another secret', async () => {
    const token = await mintDevToken({
      secret: 'one-development-secret-of-at-least-32-chars',
      subject: 'admin-1',
      name: 'Admin',
      roles: ['admin'],
    });
    await expect(devVerifier.verify(token)).rejects.toMatchObject({ reason: 'invalid_signature' });
  });

  it('refuses to mint a clerk token without a municipality, or with a bad city id', async () => {
    await expect(
      mintDevToken({ subject: 'clerk-1', name: 'Clerk', roles: ['clerk'] }),
    ).rejects.toThrow('municipality is required for a clerk');
    await expect(
      mintDevToken({
        subject: 'clerk-1',
        name: 'Clerk',
        roles: ['clerk'],
        municipality: 'Coventry',
      }),
    ).rejects.toThrow('must be a city id');
  });
});

describe('mint-token arguments', () => {
  it('reads role, municipality and name, and the secret from AUTH_DEV_SECRET', () => {
    expect(
      parseMintTokenArguments(
        ['--role', 'clerk', '--municipality', 'gb-coventry', '--name', 'Coventry clerk'],
        { AUTH_DEV_SECRET: 'from-the-environment-and-32-chars-long' },
      ),
    ).toEqual({
      roles: ['clerk'],
      subject: 'dev-clerk-gb-coventry',
      name: 'Coventry clerk',
      municipality: 'gb-coventry',
      secret: 'from-the-environment-and-32-chars-long',
    });
  });

  it('accepts several roles, a subject and an expiry', () => {
    expect(
      parseMintTokenArguments(
        ['--role', 'auditor', '--role', 'admin', '--subject', 'ops-1', '--expires-in', '2d'],
        {},
      ),
    ).toEqual({ roles: ['auditor', 'admin'], subject: 'ops-1', name: 'ops-1', expiresIn: '2d' });
  });

  it.each([
    [[], '--role is required'],
    [['--role', 'mayor'], '--role must be one of clerk, auditor, admin'],
    [['--role', 'admin', '--expires-in', 'forever'], '--expires-in must look like'],
    [['--role', 'admin', '--colour', 'blue'], "Unknown option '--colour'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseMintTokenArguments(argv, {})).toThrow(message);
  });
});
