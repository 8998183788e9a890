/**
 * The shapes of the API's answers that the workspace reads, as `docs/api.md`, `docs/audit.md`,
 * `docs/webhooks.md` and the OpenAPI document at `/openapi.json` describe them.
 */

import type { AgreementKind, LifecycleState } from '@twinning/domain/vocabulary';

// The domain's own lists: a state, kind or area the API knows is one the workspace knows.
export {
  AGREEMENT_KINDS,
  AREAS_OF_EXCHANGE,
  LIFECYCLE_STATES,
  type AgreementKind,
  type AreaOfExchange,
  type LifecycleState,
} from '@twinning/domain/vocabulary';

export const ROLES = ['clerk', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type PartyRole = 'proposer' | 'partner';

export interface Party {
  readonly cityId: string;
  readonly name: string;
  readonly country: string;
  readonly councilApprovalRequired: boolean;
}

export interface Terms {
  readonly title: string;
  readonly purpose: string;
  readonly areasOfExchange: readonly string[];
  readonly kind: AgreementKind;
  readonly startDate: string;
  readonly endDate?: string;
}

export interface VersionedTerms extends Terms {
  readonly version: number;
}

export interface PerParty<T> {
  readonly proposer: T | null;
  readonly partner: T | null;
}

export interface Evidence {
  readonly reference: string;
}

export interface Acceptance {
  readonly termsVersion: number;
  readonly acceptedOn: string;
  readonly evidence?: Evidence;
}

export interface CouncilApproval {
  readonly termsVersion: number;
  readonly resolutionReference: string;
  readonly approvedOn: string;
  readonly evidence?: Evidence;
}

export interface Signature {
  readonly termsVersion: number;
  readonly signatory: { readonly name: string; readonly title: string };
  readonly place: string;
  readonly signedOn: string;
  readonly evidence?: Evidence;
}

export interface AgreementView {
  readonly agreementId: string;
  readonly lifecycleState: LifecycleState;
  readonly ended: boolean;
  readonly machineVersion: number;
  readonly proposer: Party;
  readonly partner: Party;
  readonly terms: VersionedTerms;
  readonly termsHistory: readonly {
    readonly terms: VersionedTerms;
    readonly proposedBy: PartyRole;
    readonly proposedOn: string;
  }[];
  readonly acceptances: PerParty<Acceptance>;
  readonly councilApprovals: PerParty<CouncilApproval>;
  readonly signatures: PerParty<Signature>;
  readonly dates: {
    readonly proposedOn: string;
    readonly agreedOn: string | null;
    readonly signedOn: string | null;
    readonly activatedOn: string | null;
    readonly suspendedOn: string | null;
    readonly reinstatedOn: string | null;
    readonly renewedOn: string | null;
    readonly endedOn: string | null;
  };
  readonly suspension: { readonly reason: string; readonly suspendedOn: string } | null;
  readonly ending: {
    readonly how: 'withdrawn' | 'declined' | 'expired' | 'terminated';
    readonly on: string;
    readonly party: PartyRole | null;
    readonly reason: string | null;
  } | null;
}

export interface AgreementRepresentation {
  readonly agreement: AgreementView;
  readonly revision: string;
  readonly allowedCommands: readonly string[];
}

export interface CommandAnswer extends AgreementRepresentation {
  readonly position: string;
}

export interface EventActor {
  readonly subject: string;
  readonly displayName?: string;
  readonly role: string;
  readonly municipality?: string;
}

export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly revision: string;
  readonly position: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: {
    readonly actor?: EventActor;
    readonly recordedAt?: string;
    readonly occurredAt?: string;
    readonly correlationId?: string;
  };
  readonly storedAt: string;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AgreementItem {
  readonly agreementId: string;
  readonly title: string;
  readonly kind: AgreementKind;
  readonly state: LifecycleState;
  readonly proposer: { readonly cityId: string; readonly name: string; readonly country: string };
  readonly partner: { readonly cityId: string; readonly name: string; readonly country: string };
  readonly termsVersion: number;
  readonly lastChangedOn: string;
  readonly lastEventType: string;
}

export interface ReadStatus {
  readonly stale: boolean;
}

export interface AgreementList extends ReadStatus {
  readonly items: readonly AgreementItem[];
  readonly nextCursor: string | null;
}

export interface DueAgreements extends ReadStatus {
  readonly pendingSignatures: readonly {
    readonly agreement: AgreementItem;
    readonly outstanding: readonly {
      readonly party: PartyRole;
      readonly cityId: string;
      readonly name: string;
      readonly act: 'council_approval' | 'signature';
    }[];
  }[];
  readonly expiring: readonly {
    readonly agreement: AgreementItem;
    readonly endDate: string;
    readonly daysLeft: number;
  }[];
}

export interface CityPartnerships extends ReadStatus {
  readonly city: { readonly cityId: string; readonly name: string; readonly country: string };
  readonly partnerships: readonly {
    readonly agreementId: string;
    readonly title: string;
    readonly kind: AgreementKind;
    readonly state: LifecycleState;
    readonly role: PartyRole;
    readonly partner: { readonly cityId: string; readonly name: string; readonly country: string };
    readonly activatedOn: string | null;
  }[];
}

export interface NetworkNode {
  readonly cityId: string;
  readonly name: string;
  readonly country: string;
  readonly depth: number;
}

export interface NetworkEdge {
  readonly agreementId: string;
  readonly from: string;
  readonly to: string;
  readonly state: LifecycleState;
}

export interface CityNetwork extends ReadStatus {
  readonly cityId: string;
  readonly depth: number;
  readonly nodes: readonly NetworkNode[];
  readonly edges: readonly NetworkEdge[];
  readonly truncated: boolean;
}

export interface LifecycleChart {
  readonly initial: string;
  readonly states: readonly {
    readonly id: string;
    readonly group: string | null;
    readonly final: boolean;
  }[];
  readonly transitions: readonly {
    readonly from: string;
    readonly to: string;
    readonly event: string;
  }[];
}

export interface ReplayedAgreement {
  readonly revision: string | null;
  readonly eventsApplied: number;
  readonly machineVersion: number | null;
  readonly inForce: boolean;
  readonly agreement: AgreementView | null;
}

export interface AgreementVerification {
  readonly events: number;
  readonly intact: boolean;
  readonly head: { readonly revision: string; readonly hash: string } | null;
  readonly firstBreak: {
    readonly kind: string;
    readonly revision?: string;
  } | null;
}

export interface LogVerification {
  readonly intact: boolean;
  readonly digest: {
    readonly position: string | null;
    readonly events: number;
    readonly digest: string;
  };
}

export type SignInConfig =
  | { readonly mode: 'dev' }
  | {
      readonly mode: 'oidc';
      readonly issuer: string;
      readonly clientId: string;
      readonly scope: string;
      readonly audience: string;
    }
  | { readonly mode: 'unavailable'; readonly detail: string };

export interface DevToken {
  readonly token: string;
  readonly expiresAt: string;
}

export type EndpointStatus = 'active' | 'paused' | 'disabled';

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  readonly eventTypes: readonly string[] | null;
  readonly cityIds: readonly string[] | null;
  readonly status: EndpointStatus;
  readonly disabledReason: string | null;
  readonly createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  readonly id: string;
  readonly endpointId: string;
  readonly webhookId: string;
  readonly type: string;
  readonly agreementStreamId: string;
  readonly globalPosition: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly lastAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

export interface DeliveryAttempt {
  readonly id: string;
  readonly attemptedAt: string;
  readonly outcome: 'delivered' | 'gone' | 'failed';
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
}
