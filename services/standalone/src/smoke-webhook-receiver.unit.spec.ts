import { generateSigningSecret, signatureHeaderOf, signingKeyOf } from '@twinning/webhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from './smoke-webhook-receiver.js';

/** The receiver's check is written from the Standard Webhooks text; the dispatcher's signer must pass it. */

const now = new Date('2026-03-01T12:00:00Z');
const timestampSeconds = Math.floor(now.getTime() / 1000);
const body = JSON.stringify({ type: 'agreement.activated', data: { agreementId: 'a' } });

const signed = (
  secrets: readonly string[],
  overrides: { timestamp?: number; body?: string } = {},
) => ({
  'webhook-id': 'msg_1',
  'webhook-timestamp': String(overrides.timestamp ?? timestampSeconds),
  'webhook-signature': signatureHeaderOf(secrets.map(signingKeyOf), {
    id: 'msg_1',
    timestampSeconds: overrides.timestamp ?? timestampSeconds,
    body: overrides.body ?? body,
  }),
});

describe('verifyWebhookSignature', () => {
  const secret = generateSigningSecret();

  it('accepts what the dispatcher signs with the endpoint secret', () => {
    expect(verifyWebhookSignature({ secret, headers: signed([secret]), body, now })).toEqual({
      ok: true,
    });
  });

  it('accepts a rotation header where only one of the signatures is ours', () => {
    const headers = signed([generateSigningSecret(), secret]);
    expect(verifyWebhookSignature({ secret, headers, body, now }).ok).toBe(true);
  });

  it('refuses another secret, and a body changed after signing', () => {
    expect(
      verifyWebhookSignature({ secret, headers: signed([generateSigningSecret()]), body, now }),
    ).toMatchObject({
      ok: false,
      reason: 'no_matching_signature',
    });
    expect(
      verifyWebhookSignature({
        secret,
        headers: signed([secret]),
        body: body.replace('activated', 'terminated'),
        now,
      }),
    ).toMatchObject({ ok: false, reason: 'no_matching_signature' });
  });

  it('refuses a timestamp outside the tolerance, as a replay would have', () => {
    const headers = signed([secret], { timestamp: timestampSeconds - 3600 });
    expect(verifyWebhookSignature({ secret, headers, body, now })).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('names what is missing or malformed instead of throwing', () => {
    const { 'webhook-signature': _dropped, ...unsigned } = signed([secret]);
    expect(verifyWebhookSignature({ secret, headers: unsigned, body, now })).toMatchObject({
      reason: 'missing_headers',
    });
    expect(
      verifyWebhookSignature({
        secret,
        headers: { ...signed([secret]), 'webhook-timestamp': 'soon' },
        body,
        now,
      }),
    ).toMatchObject({ reason: 'invalid_timestamp' });
    expect(
      verifyWebhookSignature({ secret: 'not-a-secret', headers: signed([secret]), body, now }),
    ).toMatchObject({
      reason: 'invalid_secret',
    });
    expect(
      verifyWebhookSignature({
        secret,
        headers: { ...signed([secret]), 'webhook-signature': 'v1' },
        body,
        now,
      }),
    ).toMatchObject({ reason: 'no_matching_signature' });
  });
});
