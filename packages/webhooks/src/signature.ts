import { createHmac } from 'node:crypto';

export interface SignatureInput {
  /** The `webhook-id`. */
  readonly id: string;
  /** The `webhook-timestamp`: this attempt's time in whole Unix seconds. */
  readonly timestampSeconds: number;
  readonly body: string;
}

/** One `v1,<base64>` signature: HMAC-SHA256 of `${id}.${timestamp}.${body}` (Standard Webhooks). */
export const signatureOf = (key: Uint8Array, input: SignatureInput): string =>
  `v1,${createHmac('sha256', key)
    .update(`${input.id}.${input.timestampSeconds}.${input.body}`)
    .digest('base64')}`;

/**
 * The `webhook-signature` header: one signature per active key, space-separated, so a consumer
 * still holding the previous secret keeps verifying during a rotation's grace period.
 */
export const signatureHeaderOf = (keys: readonly Uint8Array[], input: SignatureInput): string => {
  if (keys.length === 0) throw new RangeError('At least one signing key is needed');
  return keys.map((key) => signatureOf(key, input)).join(' ');
};

/** The three Standard Webhooks headers of one attempt. */
export const webhookHeadersOf = (
  keys: readonly Uint8Array[],
  input: SignatureInput,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> => ({
  'webhook-id': input.id,
  'webhook-timestamp': String(input.timestampSeconds),
  'webhook-signature': signatureHeaderOf(keys, input),
});
