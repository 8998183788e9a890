import { createServer, type Server } from 'node:http';
import { mintDevToken } from '@twinning/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmokeTest, SmokeTestFailedError, type SmokeTestOptions } from './smoke-test-run.js';
import {
  LOOPBACK_WEBHOOKS,
  startStandaloneOnPGlite,
  type ListeningSystem,
} from './testing/listening-system.js';

/** The smoke test's steps in-process against standalone on PGlite (the CLI run is in test/smoke). */

describe('runSmokeTest', () => {
  let system: ListeningSystem;
  let apiUrl: string;

  beforeAll(async () => {
    system = await startStandaloneOnPGlite(LOOPBACK_WEBHOOKS);
    apiUrl = system.baseUrl;
  });

  afterAll(() => system.close());

  const options = (overrides: Partial<SmokeTestOptions> = {}): SmokeTestOptions => ({
    apiUrl,
    serviceUrls: [],
    tokens: { kind: 'dev', secret: undefined },
    proposer: { cityId: 'zz-smoke-north', name: 'Smoke North' },
    partner: { cityId: 'zz-smoke-south', name: 'Smoke South' },
    webhooks: {
      kind: 'receive',
      listenHost: '127.0.0.1',
      listenPort: 0,
      publicUrl: undefined,
      tls: undefined,
    },
    timeoutMs: 30_000,
    ...overrides,
  });

  const failureOf = async (promise: Promise<unknown>): Promise<SmokeTestFailedError> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SmokeTestFailedError);
    return error as SmokeTestFailedError;
  };

  it('drives the agreement to active, receives its signed activation, and closes it', async () => {
    const printed: string[] = [];
    const report = await runSmokeTest(options(), (line) => printed.push(line));
    expect(report.webhook).toBe('verified');
    expect(report.steps.map((step) => step.name)).toContain('receive the activation webhook');
    const agreement = await fetch(`${apiUrl}/agreements/${report.agreementId}`, {
      headers: { authorization: `Bearer ${await auditorToken()}` },
    });
    expect(await agreement.json()).toMatchObject({ agreement: { lifecycleState: 'terminated' } });
    expect(printed.at(-1)).toBe('ok    delete the webhook endpoint');
  }, 60_000);

  it('skips the webhook part when asked, and then needs no admin token', async () => {
    const report = await runSmokeTest(
      options({
        webhooks: { kind: 'skip' },
        tokens: await givenTokens({ admin: undefined }),
      }),
      () => undefined,
    );
    expect(report.webhook).toBe('skipped');
  }, 60_000);

  it('stops at the first command when the deployment refuses the tokens', async () => {
    const error = await failureOf(
      runSmokeTest(
        options({
          webhooks: { kind: 'skip' },
          tokens: { kind: 'dev', secret: 'a-secret-this-deployment-does-not-know-0123456789' },
        }),
        () => undefined,
      ),
    );
    expect(error.step).toBe('propose an agreement');
    expect(error.message).toContain('answered 401');
  });

  it('asks for an admin token when it is to register a webhook endpoint', async () => {
    const error = await failureOf(
      runSmokeTest(options({ tokens: await givenTokens({ admin: undefined }) }), () => undefined),
    );
    expect(error.step).toBe('register a webhook endpoint');
    expect(error.message).toContain('an admin token is needed');
  });

  it('says so when the deployment has no webhook admin API', async () => {
    // An API without the webhook routes: health answers, /admin/webhooks is 404.
    const bare: Server = createServer((request, response) => {
      const healthy = request.url === '/health/live' || request.url === '/health/ready';
      response.writeHead(healthy ? 200 : 404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          healthy ? { status: request.url === '/health/ready' ? 'ready' : 'live' } : {},
        ),
      );
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const address = bare.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const error = await failureOf(
        runSmokeTest(options({ apiUrl: `http://127.0.0.1:${port}` }), () => undefined),
      );
      expect(error.step).toBe('register a webhook endpoint');
      expect(error.message).toContain('the webhook admin API is not reachable');
    } finally {
      await new Promise((resolve) => bare.close(resolve));
    }
  });
});

const auditorToken = () =>
  mintDevToken({ subject: 'auditor', name: 'Auditor', roles: ['auditor'] });

const givenTokens = async (overrides: {
  admin: string | undefined;
}): Promise<SmokeTestOptions['tokens']> => {
  const clerk = (cityId: string) =>
    mintDevToken({
      subject: `clerk@${cityId}`,
      name: `Clerk of ${cityId}`,
      roles: ['clerk'],
      municipality: cityId,
    });
  return {
    kind: 'given',
    proposerClerk: await clerk('zz-smoke-north'),
    partnerClerk: await clerk('zz-smoke-south'),
    admin: overrides.admin,
  };
};
