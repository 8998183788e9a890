/**
 * RFC 9457 problem details. Every error an HTTP service returns is one of these, with a stable
 * `code` that clients can branch on (titles and details are for humans and may change).
 */

export type ProblemCode = `TWN_ERR_${string}`;

export type ProblemExtensionValue =
  | string
  | number
  | boolean
  | null
  | readonly ProblemExtensionValue[]
  | { readonly [key: string]: ProblemExtensionValue };

// A type alias, not an interface, so that it fits the document's index signature.
export type FieldError = {
  /** Where the bad value sits, e.g. `body.terms.purpose` or `querystring.limit`. */
  readonly path: string;
  readonly message: string;
};

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly code: ProblemCode;
  readonly correlationId?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: ProblemExtensionValue | undefined;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `TWN_ERR_AGREEMENT_NOT_FOUND` becomes `urn:twinning:problem:agreement-not-found`. */
export const problemTypeOf = (code: ProblemCode): string =>
  `urn:twinning:problem:${code.slice('TWN_ERR_'.length).toLowerCase().replaceAll('_', '-')}`;

const RESERVED_MEMBERS = new Set([
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'correlationId',
]);

export interface ProblemDetails {
  readonly detail?: string;
  /** Extra members for the problem document (e.g. `allowedActions`); core members win. */
  readonly extensions?: Readonly<Record<string, ProblemExtensionValue>>;
  readonly errors?: readonly FieldError[];
  /** Response headers that belong to this problem, e.g. `WWW-Authenticate` on a 401. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/** An error that the HTTP layer turns into the problem document it describes. */
export class HttpProblemError extends Error {
  override readonly name = 'HttpProblemError';
  readonly detail: string | undefined;
  readonly extensions: Readonly<Record<string, ProblemExtensionValue>>;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: ProblemCode,
    readonly status: number,
    readonly title: string,
    details: ProblemDetails = {},
  ) {
    super(details.detail ?? title, details.cause === undefined ? {} : { cause: details.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`Problem ${code}: status ${status} is not an HTTP error status`);
    }
    this.detail = details.detail;
    this.extensions = Object.fromEntries(
      Object.entries(details.extensions ?? {}).filter(([key]) => !RESERVED_MEMBERS.has(key)),
    );
    this.errors = details.errors;
    this.headers = details.headers ?? {};
  }

  toDocument(context: { instance?: string; correlationId?: string } = {}): ProblemDocument {
    return {
      ...this.extensions,
      type: problemTypeOf(this.code),
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(context.instance === undefined ? {} : { instance: context.instance }),
      code: this.code,
      ...(context.correlationId === undefined ? {} : { correlationId: context.correlationId }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export interface ProblemFactory {
  (details?: ProblemDetails | string): HttpProblemError;
  readonly code: ProblemCode;
  readonly status: number;
  readonly title: string;
  /** True when `error` was made by this factory (same code). */
  readonly matches: (error: unknown) => error is HttpProblemError;
}

/**
 * Declares one kind of problem once, with its stable code, status and title:
 * `const AgreementNotFound = createProblem('TWN_ERR_AGREEMENT_NOT_FOUND', 404, 'Agreement not found')`
 * then `throw AgreementNotFound('No agreement 4f1c…')`.
 */
export const createProblem = (code: ProblemCode, status: number, title: string): ProblemFactory => {
  // Validates the status once, at declaration, rather than at the first throw.
  new HttpProblemError(code, status, title);
  const factory = (details?: ProblemDetails | string): HttpProblemError =>
    new HttpProblemError(
      code,
      status,
      title,
      typeof details === 'string' ? { detail: details } : details,
    );
  return Object.assign(factory, {
    code,
    status,
    title,
    matches: (error: unknown): error is HttpProblemError =>
      error instanceof HttpProblemError && error.code === code,
  });
};

/** The problems the kit itself raises. */
export const ValidationFailed = createProblem(
  'TWN_ERR_VALIDATION',
  400,
  'Request validation failed',
);
export const MalformedBody = createProblem('TWN_ERR_MALFORMED_BODY', 400, 'Malformed request body');
export const BadRequest = createProblem('TWN_ERR_BAD_REQUEST', 400, 'Bad request');
export const Unauthenticated = createProblem(
  'TWN_ERR_UNAUTHENTICATED',
  401,
  'Authentication required',
);
export const Forbidden = createProblem('TWN_ERR_FORBIDDEN', 403, 'Forbidden');
export const RouteNotFound = createProblem('TWN_ERR_NOT_FOUND', 404, 'Not found');
export const PayloadTooLarge = createProblem(
  'TWN_ERR_PAYLOAD_TOO_LARGE',
  413,
  'Request body too large',
);
export const UnsupportedMediaType = createProblem(
  'TWN_ERR_UNSUPPORTED_MEDIA_TYPE',
  415,
  'Unsupported media type',
);
export const InternalError = createProblem('TWN_ERR_INTERNAL', 500, 'Internal server error');
