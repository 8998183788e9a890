import { describe, expect, it } from 'vitest';
import { allowsPlainHttp } from './oidc-sign-in';

describe('reaching the identity provider', () => {
  it('uses plain http only for a provider on loopback', () => {
    expect(allowsPlainHttp(new URL('http://127.0.0.1:4000'))).toBe(true);
    expect(allowsPlainHttp(new URL('http://localhost:4000/realms/twinning'))).toBe(true);
    expect(allowsPlainHttp(new URL('http://[::1]:4000'))).toBe(true);
    expect(allowsPlainHttp(new URL('http://idp.example'))).toBe(false);
    expect(allowsPlainHttp(new URL('https://idp.example'))).toBe(false);
  });
});
