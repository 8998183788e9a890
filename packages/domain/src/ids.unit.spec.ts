import { describe, expect, it } from 'vitest';
import {
  AgreementIdSchema,
  CityIdSchema,
  IsoDateSchema,
  fromAgreementStreamId,
  toAgreementStreamId,
} from './ids.js';

describe('ids', () => {
  const id = AgreementIdSchema.parse('3d6f0a52-8c1e-4b7a-9f2d-1e5c7b9a0d34');

  it('an agreement stream id is agreement-<uuid>, and reads back to the id', () => {
    expect(toAgreementStreamId(id)).toBe('agreement-3d6f0a52-8c1e-4b7a-9f2d-1e5c7b9a0d34');
    expect(fromAgreementStreamId(toAgreementStreamId(id))).toEqual({ ok: true, value: id });
  });

  it.each([
    'agreement-not-a-uuid',
    'webhook-3d6f0a52-8c1e-4b7a-9f2d-1e5c7b9a0d34',
    '3d6f0a52-8c1e-4b7a-9f2d-1e5c7b9a0d34',
  ])('"%s" is not an agreement stream', (streamId) => {
    expect(fromAgreementStreamId(streamId)).toMatchObject({
      ok: false,
      error: { reason: 'NOT_AN_AGREEMENT_STREAM' },
    });
  });

  it.each([
    ['gb-coventry', true],
    ['ru-volgograd', true],
    ['us-toledo-oh', true],
    ['Coventry', false],
    ['gb_coventry', false],
    ['gb-', false],
    ['gb-coventry-', false],
  ])('city id %s valid: %s', (value, valid) => {
    expect(CityIdSchema.safeParse(value).success).toBe(valid);
  });

  it.each([
    ['1944-04-28', true],
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['1944-4-28', false],
    ['28/04/1944', false],
  ])('date %s valid: %s', (value, valid) => {
    expect(IsoDateSchema.safeParse(value).success).toBe(valid);
  });
});
