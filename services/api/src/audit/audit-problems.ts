import { AuditError } from '@twinning/audit';
import { createProblem, type HttpProblemError } from '@twinning/http-kit';

export const AuditAgreementNotFound = createProblem(
  'TWN_ERR_AGREEMENT_NOT_FOUND',
  404,
  'Agreement not found',
);
export const RevisionNotFound = createProblem(
  'TWN_ERR_REVISION_NOT_FOUND',
  404,
  'The agreement has no such revision',
);
export const RecordUnreadable = createProblem(
  'TWN_ERR_RECORD_UNREADABLE',
  422,
  'The stored record cannot be replayed by this code',
);
export const InvalidAuditQuery = createProblem(
  'TWN_ERR_INVALID_AUDIT_QUERY',
  400,
  'The audit question cannot be answered as asked',
);

/** Turns the audit package's typed errors into problems; anything else stays as it was. */
export const problemFromAuditError = (error: unknown): unknown => {
  if (!(error instanceof AuditError)) return error;
  const problems: { readonly [C in AuditError['code']]: (detail: string) => HttpProblemError } = {
    AGREEMENT_NOT_FOUND: AuditAgreementNotFound,
    REVISION_NOT_FOUND: RevisionNotFound,
    RECORD_UNREADABLE: RecordUnreadable,
    INVALID_AUDIT_QUERY: InvalidAuditQuery,
  };
  return problems[error.code](error.message);
};
