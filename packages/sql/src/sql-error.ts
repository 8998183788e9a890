/** SQLSTATE codes the packages above act on. */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  lockNotAvailable: '55P03',
  undefinedTable: '42P01',
  duplicateSchema: '42P06',
  duplicateTable: '42P07',
  invalidTextRepresentation: '22P02',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
} as const;

const connectionErrnoCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const connectionMessagePattern =
  /connection terminated|connection error|not queryable|client was closed|pool after calling end|timeout exceeded when trying to connect|closed/i;

interface DriverErrorShape {
  readonly message?: unknown;
  readonly code?: unknown;
  readonly severity?: unknown;
  readonly constraint?: unknown;
  readonly detail?: unknown;
  readonly table?: unknown;
  readonly schema?: unknown;
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * Any failure of a SQL call, whichever driver raised it. `code` is the SQLSTATE when the
 * database reported one; `connectionLost` says the statement may succeed on a new connection.
 */
export class SqlError extends Error {
  override readonly name = 'SqlError';
  readonly code: string | undefined;
  readonly constraint: string | undefined;
  readonly detail: string | undefined;
  readonly table: string | undefined;
  readonly connectionLost: boolean;

  constructor(
    message: string,
    details: {
      readonly code?: string | undefined;
      readonly constraint?: string | undefined;
      readonly detail?: string | undefined;
      readonly table?: string | undefined;
      readonly connectionLost: boolean;
      readonly cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.code = details.code;
    this.constraint = details.constraint;
    this.detail = details.detail;
    this.table = details.table;
    this.connectionLost = details.connectionLost;
  }

  /** Wraps whatever a driver threw; an `SqlError` passes through unchanged. */
  static from(cause: unknown): SqlError {
    if (cause instanceof SqlError) return cause;
    const shape: DriverErrorShape = typeof cause === 'object' && cause !== null ? cause : {};
    const message =
      optionalString(shape.message) ?? (cause instanceof Error ? cause.message : String(cause));
    const rawCode = optionalString(shape.code);
    const reportedByDatabase = rawCode !== undefined && typeof shape.severity === 'string';
    const code = reportedByDatabase ? rawCode : undefined;
    const connectionLost =
      code !== undefined
        ? code.startsWith('08') ||
          code === SqlState.adminShutdown ||
          code === SqlState.crashShutdown ||
          code === SqlState.cannotConnectNow
        : (rawCode !== undefined && connectionErrnoCodes.has(rawCode)) ||
          connectionMessagePattern.test(message);
    return new SqlError(message, {
      code,
      constraint: optionalString(shape.constraint),
      detail: optionalString(shape.detail),
      table: optionalString(shape.table),
      connectionLost,
      cause,
    });
  }
}

export const isSqlError = (error: unknown, code?: string): error is SqlError =>
  error instanceof SqlError && (code === undefined || error.code === code);
