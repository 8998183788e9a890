import http from 'node:http';
import https from 'node:https';
import {
  checkLiteralHost,
  createGuardedLookup,
  systemResolver,
  type AttemptResult,
  type EndpointAddressPolicy,
  type HostResolver,
} from '@twinning/webhooks';

/** The consumer's response is kept for operators only up to this size. */
export const RESPONSE_EXCERPT_BYTES = 1024;
/** A response body larger than this is not read to the end: the connection is dropped instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export interface WebhookResponse {
  readonly result: AttemptResult;
  readonly statusCode: number | null;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
  readonly durationMs: number;
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
  close(): void;
}

export interface WebhookSenderOptions {
  readonly addressPolicy: EndpointAddressPolicy;
  readonly resolve?: HostResolver;
  readonly userAgent?: string;
  /** Connections kept per consumer host; more requests queue. */
  readonly maxSocketsPerHost?: number;
}

const describeError = (error: unknown): string => {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    return `${code}${error.message}`;
  }
  return String(error);
};

/**
 * Posts webhooks with `node:http`/`node:https`, each connection resolved through the guarded
 * lookup so the address connected to is the address checked. Redirects are never followed (Node's
 * client does not follow them): a 3xx is an answer like any other and counts as a failure.
 */
export const createWebhookSender = (options: WebhookSenderOptions): WebhookSender => {
  const lookup = createGuardedLookup(options.addressPolicy, options.resolve ?? systemResolver);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerHost ?? 50 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const userAgent = options.userAgent ?? 'Twinning-Webhooks/0.1';

  const send = async (request: WebhookRequest): Promise<WebhookResponse> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failure = (error: string): WebhookResponse => ({
      result: { kind: 'error', error },
      statusCode: null,
      responseExcerpt: null,
      error,
      durationMs: elapsed(),
    });

    const url = new URL(request.url);
    const allowed = options.addressPolicy.allowHttp ? ['https:', 'http:'] : ['https:'];
    if (!allowed.includes(url.protocol))
      return failure(`${url.protocol} endpoints are not allowed`);
    const literal = checkLiteralHost(options.addressPolicy, url.hostname);
    if (literal !== undefined) return failure(literal.message);

    const client = url.protocol === 'https:' ? https : http;
    return new Promise<WebhookResponse>((resolve) => {
      const outgoing = client.request(url, {
        method: 'POST',
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        lookup,
        signal: AbortSignal.timeout(request.timeoutMs),
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(request.body)),
          'user-agent': userAgent,
        },
      });
      outgoing.on('error', (error) => resolve(failure(describeError(error))));
      outgoing.on('response', (incoming) => {
        const chunks: Buffer[] = [];
        let received = 0;
        incoming.on('data', (chunk: Buffer) => {
          if (received < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
          received += chunk.length;
          if (received > DRAIN_LIMIT_BYTES) incoming.destroy();
        });
        const finish = (): void => {
          const statusCode = incoming.statusCode ?? 0;
          const excerpt = Buffer.concat(chunks)
            .subarray(0, RESPONSE_EXCERPT_BYTES)
            .toString('utf8');
          const retryAfter = incoming.headers['retry-after'];
          resolve({
            result: { kind: 'response', status: statusCode, retryAfter },
            statusCode,
            responseExcerpt: excerpt === '' ? null : excerpt,
            error: null,
            durationMs: elapsed(),
          });
        };
        incoming.on('end', finish);
        // The status is known even when the body is cut short (too long, reset, timed out).
        incoming.on('close', finish);
        incoming.on('error', () => undefined);
      });
      outgoing.end(request.body);
    });
  };

  return {
    send,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
};
