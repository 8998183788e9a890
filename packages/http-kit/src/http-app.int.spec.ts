import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from './create-http-app.js';
import type { HttpApp } from './create-http-app.js';
import { createLogger } from './logger.js';
import { runUntilSignalled } from './shutdown.js';
import type { ProcessControl } from './shutdown.js';

class FakeProcess extends EventEmitter implements ProcessControl {
  readonly exitCodes: number[] = [];
  exit(code: number): void {
    this.exitCodes.push(code);
    this.emit('exited', code);
  }
}

let app: HttpApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const listen = async (target: HttpApp): Promise<string> => {
  await target.listen({ host: '127.0.0.1', port: 0 });
  const address = target.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
};

describe('an app listening on a real socket', () => {
  it('serves problem+json and correlation ids over HTTP', async () => {
    app = await createHttpApp({
      name: 'api',
      logger: createLogger({ name: 'api', level: 'silent' }),
    });
    app.post('/echo', (request) => request.body);
    const base = await listen(app);

    const live = await fetch(`${base}/health/live`, {
      headers: { 'x-correlation-id': 'dresden-1956' },
    });
    expect(live.status).toBe(200);
    expect(live.headers.get('x-correlation-id')).toBe('dresden-1956');

    const malformed = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"city":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await malformed.json()).toMatchObject({
      code: 'TWN_ERR_MALFORMED_BODY',
      correlationId: malformed.headers.get('x-correlation-id'),
    });

    const metrics = await fetch(`${base}/metrics`);
    expect(await metrics.text()).toMatch(
      /http_requests_total\{method="POST",route="\/echo",status="400",service="api"\} 1/,
    );
  });

  it('on SIGTERM stops accepting, finishes the request in flight, closes stores, exits 0', async () => {
    const steps: string[] = [];
    let releaseSlowRequest: () => void = () => {};
    let slowRequestStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      slowRequestStarted = resolve;
    });
    app = await createHttpApp({
      name: 'api',
      logger: createLogger({ name: 'api', level: 'silent' }),
    });
    app.get('/slow', async () => {
      slowRequestStarted();
      await new Promise<void>((resolve) => {
        releaseSlowRequest = resolve;
      });
      steps.push('slow request answered');
      return { signed: true };
    });
    const base = await listen(app);
    const fake = new FakeProcess();
    const exited = new Promise<number>((resolve) => fake.once('exited', resolve));
    runUntilSignalled(app, {
      process: fake,
      onShutdown: [() => void steps.push('event store closed')],
    });

    const inFlight = fetch(`${base}/slow`);
    await started;
    fake.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(app.server.listening).toBe(false);
    const refused = await fetch(`${base}/health/live`).then(
      (response) => response.status,
      () => 'refused' as const,
    );
    expect(refused === 'refused' || refused === 503).toBe(true);
    expect(steps).toEqual([]);

    releaseSlowRequest();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ signed: true });
    expect(await exited).toBe(0);
    expect(steps).toEqual(['slow request answered', 'event store closed']);
  });
});
