import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { readAgreementEvents } from '@twinning/agreements';
import { mintDevToken } from '@twinning/api';
import { AgreementIdSchema } from '@twinning/domain';
import {
  LOOPBACK_WEBHOOKS,
  startStandaloneOnPGlite,
  type ListeningSystem,
} from '@twinning/standalone/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The operator smoke test (services/standalone/src/smoke-test.ts), run as an operator runs it —
 * a separate process — against the standalone system listening on a free port, so that it stays
 * true to the API, the dispatcher and the webhook signatures.
 */

const repositoryRoot = resolve(import.meta.dirname, '../..');
const standaloneDir = join(repositoryRoot, 'services/standalone');
const tsx = join(repositoryRoot, 'test/node_modules/.bin/tsx');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const runSmokeTest = (
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<Run> =>
  new Promise((resolveRun) => {
    execFile(
      tsx,
      ['--conditions=@twinning/source', 'src/smoke-test.ts', ...args],
      {
        cwd: standaloneDir,
        // Only what the operator would set: none of this process's SMOKE_* or AUTH_* leak in.
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolveRun({ code, stdout, stderr });
      },
    );
  });

const freePortNobodyListensOn = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });

describe('the operator smoke test against the standalone system', () => {
  let system: ListeningSystem;
  let baseUrl: string;

  beforeAll(async () => {
    // The receiver listens on loopback, which the address guard refuses unless allowed.
    system = await startStandaloneOnPGlite(LOOPBACK_WEBHOOKS);
    baseUrl = system.baseUrl;
  });

  afterAll(() => system.close());

  it('passes: health, the lifecycle by two clerks, and a signed webhook received', async () => {
    const run = await runSmokeTest([
      '--api-url',
      baseUrl,
      '--service-url',
      baseUrl,
      '--webhook-listen',
      '127.0.0.1:0',
      '--timeout',
      '60',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const step of [
      `ok    health of ${baseUrl}`,
      'ok    register a webhook endpoint',
      'ok    propose an agreement',
      'ok    Smoke North accepts the terms',
      'ok    Smoke South accepts the terms',
      'ok    Smoke North signs',
      'ok    Smoke South signs',
      'ok    activate the agreement',
      'ok    receive the activation webhook',
      'ok    delete the webhook endpoint',
    ]) {
      expect(run.stdout).toContain(step);
    }
    const passed = /Smoke test passed: agreement ([0-9a-f-]{36}), webhook verified/.exec(
      run.stdout,
    );
    expect(passed, run.stdout).not.toBeNull();

    // What the smoke test claims happened is in the event store, act by act, by the right clerk.
    const events = await readAgreementEvents(
      system.storage.store,
      AgreementIdSchema.parse(passed![1]),
    );
    expect(events.map((stored) => stored.event.type)).toEqual([
      'AgreementProposed',
      'TermsAccepted',
      'TermsAccepted',
      'TermsAgreed',
      'SignatureRecorded',
      'SignatureRecorded',
      'AgreementSigned',
      'AgreementActivated',
      'AgreementTerminated',
    ]);
    expect(new Set(events.map((stored) => stored.metadata.actor.subject))).toEqual(
      new Set(['smoke-test@zz-smoke-north', 'smoke-test@zz-smoke-south']),
    );

    // It cleans up after itself: no endpoint is left to receive deliveries.
    const admin = await mintDevToken({ subject: 'admin', name: 'Admin', roles: ['admin'] });
    const endpoints = await fetch(`${baseUrl}/admin/webhooks/endpoints`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(await endpoints.json()).toEqual({ endpoints: [] });
  }, 120_000);

  it('fails with the step and the reason when a service does not answer', async () => {
    const port = await freePortNobodyListensOn();
    const run = await runSmokeTest([
      '--api-url',
      baseUrl,
      '--service-url',
      `http://127.0.0.1:${port}`,
      '--skip-webhooks',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`ok    health of ${baseUrl}`);
    expect(run.stderr).toContain(`Smoke test failed at health of http://127.0.0.1:${port}`);
    expect(run.stderr).toContain('did not answer');
    expect(run.stdout).not.toContain('propose an agreement');
  }, 120_000);

  it('serves every metric the alert rules in infra/prometheus/alerts.yml query', async () => {
    const exposition = await (await fetch(`${baseUrl}/metrics`)).text();
    const served = new Set(
      [...exposition.matchAll(/^# TYPE (\w+) (\w+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
      ),
    );
    const rules = readFileSync(join(repositoryRoot, 'infra/prometheus/alerts.yml'), 'utf8');
    const queried = [
      ...rules.matchAll(/\b((?:http|twinning|webhook|nodejs|process)_[a-z0-9_]+)\b/g),
    ].map((match) => match[1]!);
    expect(queried.length).toBeGreaterThan(5);
    expect(queried.filter((metric) => !served.has(metric))).toEqual([]);
  });

  // Options, refused tokens and skipping the webhook part are covered in-process by
  // services/standalone/src/smoke-test*.spec.ts; each run here starts a process of its own.
});
