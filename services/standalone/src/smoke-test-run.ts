import { randomUUID } from 'node:crypto';
import { mintDevToken } from '@twinning/api';
import {
  startWebhookReceiver,
  verifyWebhookSignature,
  WebhookWaitTimeoutError,
  type ReceivedWebhook,
} from './smoke-webhook-receiver.js';

/**
 * What an operator runs against a deployed Twinning to know it works end to end: every service
 * healthy, one agreement driven through its lifecycle by two clerks over the public API, and (when
 * the webhook admin API is there) a signed webhook delivered to a receiver this process runs.
 */

export type SmokeTokens =
  /** AUTH_MODE=dev: minted here with the deployment's development secret. */
  | { readonly kind: 'dev'; readonly secret: string | undefined }
  /** AUTH_MODE=oidc: issued by the identity provider, passed in. */
  | {
      readonly kind: 'given';
      readonly proposerClerk: string;
      readonly partnerClerk: string;
      readonly admin: string | undefined;
    };

export interface SmokeCity {
  readonly cityId: string;
  readonly name: string;
}

export type SmokeWebhookCheck =
  | { readonly kind: 'skip' }
  | {
      readonly kind: 'receive';
      /** Where this process listens. */
      readonly listenHost: string;
      readonly listenPort: number;
      /** The URL the deployment's dispatcher posts to; by default the listening address. */
      readonly publicUrl: string | undefined;
      readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
    };

export interface SmokeTestOptions {
  readonly apiUrl: string;
  /** Other services to check /health/live and /health/ready on (projector, dispatcher). */
  readonly serviceUrls: readonly string[];
  readonly tokens: SmokeTokens;
  /** The agreement is between these two cities; given tokens must be their clerks'. */
  readonly proposer: SmokeCity;
  readonly partner: SmokeCity;
  readonly webhooks: SmokeWebhookCheck;
  /** How long to wait for the webhook delivery. */
  readonly timeoutMs: number;
  /** Per HTTP request. */
  readonly requestTimeoutMs?: number;
  readonly now?: () => Date;
}

export interface SmokeTestReport {
  readonly agreementId: string;
  readonly webhook: 'verified' | 'skipped';
  readonly steps: readonly { readonly name: string; readonly durationMs: number }[];
}

/** The deployment did not do what the step expected; the message says what it did instead. */
export class SmokeTestFailedError extends Error {
  override readonly name = 'SmokeTestFailedError';
  constructor(
    readonly step: string,
    detail: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

interface JsonResponse {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

const member = (value: unknown, ...path: readonly string[]): unknown => {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
};

const excerpt = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

export const runSmokeTest = async (
  options: SmokeTestOptions,
  print: (line: string) => void,
): Promise<SmokeTestReport> => {
  const now = options.now ?? (() => new Date());
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const steps: { name: string; durationMs: number }[] = [];
  const runId = randomUUID().slice(0, 8);

  const step = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await action();
      const durationMs = Math.round(performance.now() - started);
      steps.push({ name, durationMs });
      print(`ok    ${name} (${durationMs} ms)`);
      return result;
    } catch (error) {
      print(`FAIL  ${name}`);
      if (error instanceof SmokeTestFailedError) throw error;
      throw new SmokeTestFailedError(name, error instanceof Error ? error.message : String(error));
    }
  };

  const call = async (
    stepName: string,
    baseUrl: string,
    request: { method: 'GET' | 'POST' | 'DELETE'; path: string; token?: string; body?: unknown },
  ): Promise<JsonResponse> => {
    const url = new URL(request.path, baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers: {
          accept: 'application/json',
          'x-correlation-id': `smoke-test-${runId}`,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new SmokeTestFailedError(
        stepName,
        `${request.method} ${url.href} did not answer (${error instanceof Error ? error.message : String(error)}${cause})`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  };

  const expectStatus = (stepName: string, what: string, response: JsonResponse, status: number) => {
    if (response.status !== status) {
      throw new SmokeTestFailedError(
        stepName,
        `${what} answered ${response.status}, expected ${status}: ${excerpt(response.text)}`,
      );
    }
  };

  // 1. Health of every service.
  for (const baseUrl of [options.apiUrl, ...options.serviceUrls]) {
    const name = `health of ${baseUrl}`;
    await step(name, async () => {
      const live = await call(name, baseUrl, { method: 'GET', path: '/health/live' });
      expectStatus(name, '/health/live', live, 200);
      const ready = await call(name, baseUrl, { method: 'GET', path: '/health/ready' });
      expectStatus(name, '/health/ready', ready, 200);
      if (member(ready.json, 'status') !== 'ready') {
        throw new SmokeTestFailedError(name, `/health/ready says ${excerpt(ready.text)}`);
      }
    });
  }

  // 2. Tokens for the two clerks and an admin.
  const tokens = await step('tokens', async () => {
    if (options.tokens.kind === 'given') return options.tokens;
    const secret = options.tokens.secret;
    const mint = (request: {
      subject: string;
      name: string;
      roles: ('clerk' | 'admin')[];
      municipality?: string;
    }) =>
      mintDevToken({ ...request, expiresIn: '15m', ...(secret === undefined ? {} : { secret }) });
    return {
      kind: 'given' as const,
      proposerClerk: await mint({
        subject: `smoke-test@${options.proposer.cityId}`,
        name: `Smoke test clerk of ${options.proposer.name}`,
        roles: ['clerk'],
        municipality: options.proposer.cityId,
      }),
      partnerClerk: await mint({
        subject: `smoke-test@${options.partner.cityId}`,
        name: `Smoke test clerk of ${options.partner.name}`,
        roles: ['clerk'],
        municipality: options.partner.cityId,
      }),
      admin: await mint({
        subject: 'smoke-test-admin',
        name: 'Smoke test admin',
        roles: ['admin'],
      }),
    };
  });

  // 3. A webhook endpoint, registered before the agreement exists so it sees all of its events.
  const webhookCheck = options.webhooks;
  const receiver =
    webhookCheck.kind === 'receive'
      ? await step('start the webhook receiver', () =>
          startWebhookReceiver({
            host: webhookCheck.listenHost,
            port: webhookCheck.listenPort,
            ...(webhookCheck.tls === undefined ? {} : { tls: webhookCheck.tls }),
          }),
        )
      : undefined;
  let endpoint: { readonly id: string; readonly secret: string } | undefined;
  try {
    if (receiver !== undefined && webhookCheck.kind === 'receive') {
      const name = 'register a webhook endpoint';
      endpoint = await step(name, async () => {
        if (tokens.admin === undefined) {
          throw new SmokeTestFailedError(
            name,
            'an admin token is needed (or skip the webhook check)',
          );
        }
        const url = webhookCheck.publicUrl ?? receiver.localUrl;
        const created = await call(name, options.apiUrl, {
          method: 'POST',
          path: '/admin/webhooks/endpoints',
          token: tokens.admin,
          body: {
            url,
            description: `Smoke test ${runId} (deleted when it ends)`,
            cityIds: [options.proposer.cityId],
          },
        });
        if (created.status === 404) {
          throw new SmokeTestFailedError(
            name,
            `the webhook admin API is not reachable at ${new URL('/admin/webhooks/endpoints', options.apiUrl).href} (404); skip the webhook check if this deployment has none`,
          );
        }
        expectStatus(name, `POST /admin/webhooks/endpoints (url ${url})`, created, 201);
        const id = member(created.json, 'endpoint', 'id');
        const secret = member(created.json, 'secret');
        if (typeof id !== 'string' || typeof secret !== 'string') {
          throw new SmokeTestFailedError(
            name,
            `the answer has no endpoint id or secret: ${excerpt(created.text)}`,
          );
        }
        return { id, secret };
      });
    }

    // 4. One agreement through its lifecycle, each act by the clerk of the city whose act it is.
    const today = isoDate(now());
    const party = (city: SmokeCity) => ({
      cityId: city.cityId,
      name: city.name,
      country: city.cityId.slice(0, 2).toUpperCase(),
      councilApprovalRequired: false,
    });
    const agreementId = await step('propose an agreement', async () => {
      const name = 'propose an agreement';
      const proposed = await call(name, options.apiUrl, {
        method: 'POST',
        path: '/agreements',
        token: tokens.proposerClerk,
        body: {
          proposer: party(options.proposer),
          partner: party(options.partner),
          terms: {
            title: `Smoke test ${runId}`,
            purpose:
              'An operator smoke test of the deployment; it is terminated when the test ends',
            areasOfExchange: ['culture'],
            kind: 'sister_city',
            startDate: today,
          },
          proposedOn: today,
        },
      });
      expectStatus(name, 'POST /agreements', proposed, 201);
      const id = member(proposed.json, 'agreement', 'agreementId');
      if (typeof id !== 'string') {
        throw new SmokeTestFailedError(
          name,
          `the answer has no agreement id: ${excerpt(proposed.text)}`,
        );
      }
      return id;
    });

    const act = (
      name: string,
      token: string,
      path: string,
      body: Record<string, unknown>,
      expectedState: string,
    ) =>
      step(name, async () => {
        const response = await call(name, options.apiUrl, {
          method: 'POST',
          path: `/agreements/${agreementId}/${path}`,
          token,
          body,
        });
        expectStatus(name, `POST /agreements/{id}/${path}`, response, 200);
        const state = member(response.json, 'agreement', 'lifecycleState');
        if (state !== expectedState) {
          throw new SmokeTestFailedError(
            name,
            `the agreement is ${String(state)}, expected ${expectedState}`,
          );
        }
      });
    const signature = (city: SmokeCity) => ({
      termsVersion: 1,
      signatory: { name: `Mayor of ${city.name}`, title: 'Mayor' },
      place: city.name,
      signedOn: today,
    });

    await act(
      `${options.proposer.name} accepts the terms`,
      tokens.proposerClerk,
      'acceptances',
      { termsVersion: 1, acceptedOn: today },
      'proposed',
    );
    await act(
      `${options.partner.name} accepts the terms`,
      tokens.partnerClerk,
      'acceptances',
      { termsVersion: 1, acceptedOn: today },
      'negotiated',
    );
    await act(
      `${options.proposer.name} signs`,
      tokens.proposerClerk,
      'signatures',
      signature(options.proposer),
      'partially_signed',
    );
    await act(
      `${options.partner.name} signs`,
      tokens.partnerClerk,
      'signatures',
      signature(options.partner),
      'signed',
    );
    await act(
      'activate the agreement',
      tokens.proposerClerk,
      'activation',
      { effectiveOn: today },
      'active',
    );

    // 5. The activation, delivered and signed with the endpoint's secret.
    let webhook: SmokeTestReport['webhook'] = 'skipped';
    if (receiver !== undefined && endpoint !== undefined) {
      const secret = endpoint.secret;
      const name = 'receive the activation webhook';
      await step(name, async () => {
        const isActivation = (delivery: ReceivedWebhook) =>
          member(parseBody(delivery.body), 'type') === 'agreement.activated' &&
          member(parseBody(delivery.body), 'data', 'agreementId') === agreementId;
        let delivery: ReceivedWebhook;
        try {
          delivery = await receiver.waitFor(isActivation, options.timeoutMs);
        } catch (error) {
          if (!(error instanceof WebhookWaitTimeoutError)) throw error;
          throw new SmokeTestFailedError(
            name,
            `nothing arrived within ${options.timeoutMs} ms (${receiver.received.length} other requests received); is the dispatcher running, and can it reach ${webhookCheck.kind === 'receive' ? (webhookCheck.publicUrl ?? receiver.localUrl) : ''}?`,
          );
        }
        const check = verifyWebhookSignature({
          secret,
          headers: delivery.headers,
          body: delivery.body,
          now: now(),
        });
        if (!check.ok)
          throw new SmokeTestFailedError(name, `bad signature (${check.reason}): ${check.message}`);
      });
      webhook = 'verified';
    }

    // Leaves the smoke agreement closed, so it never counts as an active partnership.
    await act(
      'terminate the agreement',
      tokens.proposerClerk,
      'termination',
      {
        reason: `Smoke test ${runId} finished`,
        terminatedOn: today,
      },
      'terminated',
    );

    return { agreementId, webhook, steps };
  } finally {
    if (endpoint !== undefined && tokens.admin !== undefined) {
      const removed = await call('delete the webhook endpoint', options.apiUrl, {
        method: 'DELETE',
        path: `/admin/webhooks/endpoints/${endpoint.id}`,
        token: tokens.admin,
      }).catch((error: unknown) => ({ status: 0, text: String(error), json: undefined }));
      print(
        removed.status === 204
          ? 'ok    delete the webhook endpoint'
          : `WARN  the webhook endpoint ${endpoint.id} was not deleted (${removed.status}): delete it by hand`,
      );
    }
    await receiver?.close();
  }
};

const parseBody = (body: string): unknown => {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
};
