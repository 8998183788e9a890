import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/**
 * The consumer side of a webhook, as the smoke test plays it: an HTTP(S) endpoint that records
 * every request, and a Standard Webhooks signature check written from the specification rather
 * than from the dispatcher's code, so that the two cannot agree on a mistake.
 */

export interface ReceivedWebhook {
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly receivedAt: Date;
}

export type SignatureCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason:
        | 'missing_headers'
        | 'invalid_secret'
        | 'invalid_timestamp'
        | 'timestamp_out_of_tolerance'
        | 'no_matching_signature';
      readonly message: string;
    };

const SECRET_PREFIX = 'whsec_';
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/**
 * Checks `webhook-signature` against `HMAC-SHA256(key, "${webhook-id}.${webhook-timestamp}.${body}")`
 * with the key the `whsec_` secret encodes. Any one of the space-separated `v1,` signatures may
 * match (the dispatcher signs with old and new secrets during a rotation).
 */
export const verifyWebhookSignature = (input: {
  readonly secret: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly now: Date;
  readonly toleranceSeconds?: number;
}): SignatureCheck => {
  const id = input.headers['webhook-id'];
  const timestamp = input.headers['webhook-timestamp'];
  const signatures = input.headers['webhook-signature'];
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    return {
      ok: false,
      reason: 'missing_headers',
      message: 'webhook-id, webhook-timestamp and webhook-signature are all required',
    };
  }
  if (!input.secret.startsWith(SECRET_PREFIX)) {
    return {
      ok: false,
      reason: 'invalid_secret',
      message: `the secret does not start with ${SECRET_PREFIX}`,
    };
  }
  const key = Buffer.from(input.secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length === 0) {
    return { ok: false, reason: 'invalid_secret', message: 'the secret holds no key' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return {
      ok: false,
      reason: 'invalid_timestamp',
      message: 'webhook-timestamp is not Unix seconds',
    };
  }
  const skewSeconds = Math.abs(input.now.getTime() / 1000 - Number(timestamp));
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (skewSeconds > tolerance) {
    // An old timestamp is how a replayed request shows itself.
    return {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      message: `webhook-timestamp is ${Math.round(skewSeconds)} s away from now (tolerance ${tolerance} s)`,
    };
  }
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${input.body}`).digest();
  const matches = signatures.split(' ').some((candidate) => {
    const [version, encoded] = candidate.split(',', 2);
    if (version !== 'v1' || encoded === undefined) return false;
    const given = Buffer.from(encoded, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches
    ? { ok: true }
    : {
        ok: false,
        reason: 'no_matching_signature',
        message: 'no v1 signature in webhook-signature matches the secret',
      };
};

export interface WebhookReceiverOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export interface WebhookReceiver {
  /** The address it listens on, as seen from this machine. */
  readonly localUrl: string;
  readonly received: readonly ReceivedWebhook[];
  /** Resolves with the first request (already received or still to come) that matches. */
  waitFor(
    predicate: (webhook: ReceivedWebhook) => boolean,
    timeoutMs: number,
  ): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

export class WebhookWaitTimeoutError extends Error {
  override readonly name = 'WebhookWaitTimeoutError';
}

const MAX_BODY_BYTES = 1024 * 1024;

const headersOf = (request: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
};

export const startWebhookReceiver = async (
  options: WebhookReceiverOptions,
): Promise<WebhookReceiver> => {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<(webhook: ReceivedWebhook) => void>();

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413).end();
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const webhook: ReceivedWebhook = {
        headers: headersOf(request),
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: new Date(),
      };
      received.push(webhook);
      for (const waiter of waiters) waiter(webhook);
      response.writeHead(204).end();
    });
  };

  const server: Server =
    options.tls === undefined
      ? createHttpServer(handle)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) {
    server.close();
    throw new Error('the webhook receiver is not listening on TCP');
  }
  const scheme = options.tls === undefined ? 'http' : 'https';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    localUrl: `${scheme}://${host}:${address.port}/`,
    received,
    waitFor(predicate, timeoutMs) {
      const already = received.find(predicate);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = (webhook: ReceivedWebhook) => {
          if (!predicate(webhook)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(webhook);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new WebhookWaitTimeoutError(`no matching webhook within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
