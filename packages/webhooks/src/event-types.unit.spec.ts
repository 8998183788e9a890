import { AGREEMENT_EVENT_TYPES } from '@twinning/domain';
import { describe, expect, it } from 'vitest';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, WEBHOOK_TYPE_OF_EVENT } from './event-types.js';

describe('webhook event types', () => {
  it('name every agreement event once, in the agreement.<snake_case> form', () => {
    const names = AGREEMENT_EVENT_TYPES.map((type) => WEBHOOK_TYPE_OF_EVENT[type]);
    expect(new Set(names).size).toBe(AGREEMENT_EVENT_TYPES.length);
    for (const name of names) expect(name).toMatch(/^agreement\.[a-z]+(?:_[a-z]+)*$/);
    expect(WEBHOOK_TYPE_OF_EVENT.AgreementSigned).toBe('agreement.signed');
    expect(WEBHOOK_TYPE_OF_EVENT.TermsAccepted).toBe('agreement.terms_accepted');
    expect(WEBHOOK_TYPE_OF_EVENT.AgreementProposed).toBe('agreement.proposed');
  });

  it('recognise only their own names', () => {
    expect(WEBHOOK_EVENT_TYPES.every(isWebhookEventType)).toBe(true);
    expect(isWebhookEventType('AgreementSigned')).toBe(false);
    expect(isWebhookEventType('endpoint.disabled')).toBe(false);
  });
});
