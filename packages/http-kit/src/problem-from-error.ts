import { STATUS_CODES } from 'node:http';
import {
  BadRequest,
  HttpProblemError,
  InternalError,
  MalformedBody,
  PayloadTooLarge,
  UnsupportedMediaType,
  ValidationFailed,
} from './problem.js';
import type { FieldError, ProblemCode } from './problem.js';

interface SchemaValidationItem {
  readonly instancePath?: unknown;
  readonly message?: unknown;
  readonly params?: unknown;
}

interface FastifyLikeError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly validation?: unknown;
  readonly validationContext?: unknown;
}

const asFastifyLikeError = (error: unknown): FastifyLikeError =>
  typeof error === 'object' && error !== null ? error : {};

// `/terms/0/purpose` in the `body` becomes `body.terms.0.purpose`.
const fieldPath = (context: string, item: SchemaValidationItem): string => {
  const pointer = typeof item.instancePath === 'string' ? item.instancePath : '';
  const segments = pointer
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  const params = item.params;
  // JSON-schema (ajv) errors for a missing property point at the parent object.
  if (typeof params === 'object' && params !== null && 'missingProperty' in params) {
    segments.push(String(params.missingProperty));
  }
  return [context, ...segments].join('.');
};

const validationErrors = (error: FastifyLikeError): readonly FieldError[] | undefined => {
  if (!Array.isArray(error.validation) || error.validation.length === 0) return undefined;
  const context = typeof error.validationContext === 'string' ? error.validationContext : 'request';
  return (error.validation as SchemaValidationItem[]).map((item) => ({
    path: fieldPath(context, item),
    message: typeof item.message === 'string' ? item.message : 'is invalid',
  }));
};

/**
 * Every error a request can raise, as the problem it is. Anything the kit does not recognise is
 * a 500 whose document says nothing about the cause; the cause goes to the log.
 */
export const problemFromError = (error: unknown): HttpProblemError => {
  if (error instanceof HttpProblemError) return error;

  const fastifyError = asFastifyLikeError(error);
  const errors = validationErrors(fastifyError);
  if (errors !== undefined) {
    return ValidationFailed({
      detail: `${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${errors.map((fieldError) => fieldError.path).join(', ')}`,
      errors,
    });
  }

  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return UnsupportedMediaType(
        'The request body has a content type this endpoint does not accept',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return PayloadTooLarge('The request body exceeds the size limit');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return MalformedBody('The request body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return MalformedBody('The request body is empty but its content type is application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return MalformedBody('The request body does not match its Content-Length');
    default:
      break;
  }

  const status = fastifyError.statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
    // Fastify's own client errors carry messages written for clients; others may not.
    const fromFastify =
      typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_ERR_');
    const detail = fromFastify && error instanceof Error ? { detail: error.message } : {};
    if (status === 400) return BadRequest(detail);
    const code: ProblemCode = `TWN_ERR_HTTP_${status}`;
    return new HttpProblemError(code, status, STATUS_CODES[status] ?? 'Client error', detail);
  }

  return InternalError({
    detail: 'An unexpected error occurred. Quote the correlation id when reporting it.',
  });
};
