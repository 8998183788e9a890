/** A question the record cannot answer as asked; each code maps to one HTTP status and CLI exit. */
export type AuditErrorCode =
  'AGREEMENT_NOT_FOUND' | 'REVISION_NOT_FOUND' | 'RECORD_UNREADABLE' | 'INVALID_AUDIT_QUERY';

export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
  }
}
