import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

// Callers choose their own ids (uuids, trace ids, ULIDs); anything else is replaced rather than
// trusted, because the value is echoed in a header and written into every log line.
const ACCEPTABLE_CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

// Keyed by the raw request so the logger factory (which runs before Fastify builds its request
// object) and the hooks agree on the same id.
const correlationIds = new WeakMap<IncomingMessage, string>();

/** The request's correlation id: the caller's `X-Correlation-Id` when acceptable, else a new uuid. */
export const correlationIdOf = (raw: IncomingMessage): string => {
  const known = correlationIds.get(raw);
  if (known !== undefined) return known;
  const offered = raw.headers[CORRELATION_ID_HEADER];
  const correlationId =
    typeof offered === 'string' && ACCEPTABLE_CORRELATION_ID.test(offered) ? offered : randomUUID();
  correlationIds.set(raw, correlationId);
  return correlationId;
};
