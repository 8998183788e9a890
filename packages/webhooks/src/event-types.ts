import type { AgreementEventType } from '@twinning/domain';

/**
 * The webhook `type` of each agreement event. Consumers see these names, never the internal event
 * type names, so a renamed event does not break a subscription. Documented in docs/webhooks.md.
 */
export const WEBHOOK_TYPE_OF_EVENT = {
  AgreementProposed: 'agreement.proposed',
  TermsCounterProposed: 'agreement.terms_counter_proposed',
  TermsAccepted: 'agreement.terms_accepted',
  TermsAgreed: 'agreement.terms_agreed',
  CouncilApprovalRecorded: 'agreement.council_approval_recorded',
  SignatureRecorded: 'agreement.signature_recorded',
  AgreementSigned: 'agreement.signed',
  AgreementActivated: 'agreement.activated',
  AgreementSuspended: 'agreement.suspended',
  AgreementReinstated: 'agreement.reinstated',
  AgreementRenewed: 'agreement.renewed',
  AgreementExpired: 'agreement.expired',
  AgreementTerminated: 'agreement.terminated',
  ProposalWithdrawn: 'agreement.proposal_withdrawn',
  ProposalDeclined: 'agreement.proposal_declined',
} as const satisfies Record<AgreementEventType, `agreement.${string}`>;

export type WebhookEventType = (typeof WEBHOOK_TYPE_OF_EVENT)[AgreementEventType];

export const WEBHOOK_EVENT_TYPES = Object.values(
  WEBHOOK_TYPE_OF_EVENT,
) as readonly WebhookEventType[];

export const isWebhookEventType = (value: string): value is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
