import { createProblem } from '@twinning/http-kit';
import { z } from 'zod';

export const InvalidPrecondition = createProblem(
  'TWN_ERR_INVALID_PRECONDITION',
  400,
  'Invalid If-Match header',
);

const ENTITY_TAG = /^(?:W\/)?"(\d{1,19})"$|^(\d{1,19})$/;

/**
 * The stream revision an `If-Match` header names (`"3"`, `W/"3"` or `3`), or `undefined` without
 * one. `*` asks only that the agreement exist, which every command on an agreement requires anyway.
 */
export const expectedRevisionOf = (ifMatch: string | undefined): bigint | undefined => {
  if (ifMatch === undefined) return undefined;
  const value = ifMatch.trim();
  if (value === '*') return undefined;
  const match = ENTITY_TAG.exec(value);
  const digits = match?.[1] ?? match?.[2];
  if (digits === undefined) {
    throw InvalidPrecondition(
      'If-Match must be one entity tag as sent in ETag, such as "3" (the agreement revision)',
    );
  }
  return BigInt(digits);
};

export const CommandHeadersSchema = z.object({
  'if-match': z
    .string()
    .optional()
    .describe('The ETag of the agreement as last read; the command fails with 412 if it changed'),
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    .describe('Makes a retried command return the first answer and append nothing new'),
  // Not limited here: an id unfit for logs is replaced by a fresh one (see http-kit), never refused.
  'x-correlation-id': z
    .string()
    .optional()
    .describe('Echoed back and recorded with the events; replaced by a uuid when unfit for logs'),
});
