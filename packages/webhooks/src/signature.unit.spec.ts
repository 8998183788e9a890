import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureHeaderOf, signatureOf, webhookHeadersOf } from './signature.js';
import {
  generateSigningSecret,
  InvalidSigningSecretError,
  signingKeyOf,
} from './signing-secret.js';

// The published test vector of the Standard Webhooks specification (libraries/javascript tests).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestampSeconds: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures', () => {
  it('reproduce the specification test vector', () => {
    // The vector's secret decodes to 24 bytes, the smallest accepted.
    expect(signatureOf(signingKeyOf(VECTOR.secret), VECTOR)).toBe(VECTOR.signature);
  });

  it('are accepted by the standardwebhooks library for fresh secrets and timestamps', () => {
    const secret = generateSigningSecret();
    const input = {
      id: 'msg_4f1c2d3e',
      timestampSeconds: Math.floor(Date.now() / 1000),
      body: JSON.stringify({
        type: 'agreement.signed',
        timestamp: '1956-01-01T00:00:00.000Z',
        data: {},
      }),
    };
    const headers = webhookHeadersOf([signingKeyOf(secret)], input);
    expect(new Webhook(secret).verify(input.body, headers)).toMatchObject({
      type: 'agreement.signed',
    });
  });

  it('carry one signature per active secret, each verifying on its own', () => {
    const previous = generateSigningSecret();
    const current = generateSigningSecret();
    const input = { id: 'msg_1', timestampSeconds: Math.floor(Date.now() / 1000), body: '{}' };
    const header = signatureHeaderOf([signingKeyOf(current), signingKeyOf(previous)], input);
    expect(header.split(' ')).toHaveLength(2);
    const headers = {
      'webhook-id': input.id,
      'webhook-timestamp': String(input.timestampSeconds),
      'webhook-signature': header,
    };
    expect(() => new Webhook(previous).verify('{}', headers)).not.toThrow();
    expect(() => new Webhook(current).verify('{}', headers)).not.toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify('{}', headers)).toThrow();
  });

  it('do not verify a tampered body', () => {
    const secret = generateSigningSecret();
    const input = { id: 'msg_2', timestampSeconds: Math.floor(Date.now() / 1000), body: '{"a":1}' };
    const headers = webhookHeadersOf([signingKeyOf(secret)], input);
    expect(() => new Webhook(secret).verify('{"a":2}', headers)).toThrow();
  });

  it('need at least one key', () => {
    expect(() => signatureHeaderOf([], VECTOR)).toThrow(RangeError);
  });
});

describe('signing secrets', () => {
  it('are whsec_ and base64 of 32 random bytes, different each time', () => {
    const first = generateSigningSecret();
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(signingKeyOf(first)).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(first);
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['not base64', 'whsec_not*base64!'],
    ['too short', `whsec_${Buffer.alloc(16).toString('base64')}`],
    ['too long', `whsec_${Buffer.alloc(65).toString('base64')}`],
  ])('refuse a secret with %s', (_, secret) => {
    expect(() => signingKeyOf(secret)).toThrow(InvalidSigningSecretError);
  });
});
