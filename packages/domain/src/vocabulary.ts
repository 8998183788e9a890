/**
 * The words of the domain that clients show and choose from: lifecycle states, kinds of
 * agreement and areas of exchange. Plain lists with no dependencies, so the web workspace bundles
 * these very lists (`@twinning/domain/vocabulary`) rather than a copy that could drift.
 */

export const LIFECYCLE_STATES = [
  'proposed',
  'negotiated',
  'partially_signed',
  'signed',
  'active',
  'suspended',
  'withdrawn',
  'declined',
  'expired',
  'terminated',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** `cooperation` agreements are project-specific and always time-limited. */
export const AGREEMENT_KINDS = ['sister_city', 'friendship_city', 'cooperation'] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];

export const AREAS_OF_EXCHANGE = [
  'culture',
  'education',
  'youth',
  'sport',
  'economy',
  'tourism',
  'environment',
  'health',
  'governance',
  'science',
  'humanitarian',
  'urban_planning',
  'social_care',
  'heritage',
] as const;
export type AreaOfExchange = (typeof AREAS_OF_EXCHANGE)[number];
