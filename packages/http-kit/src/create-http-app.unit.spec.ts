import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpApp } from './create-http-app.js';
import type { HttpApp, HttpAppOptions } from './create-http-app.js';
import { createLogger } from './logger.js';
import { createProblem } from './problem.js';
import type { ProblemDocument } from './problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly [key: string]: unknown;
}

const capturedLog = () => {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      }
      callback();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'debug', destination }) };
};

const AgreementConflict = createProblem(
  'TWN_ERR_AGREEMENT_CONFLICT',
  409,
  'The agreement does not allow this now',
);

let app: HttpApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const buildApp = async (options: Partial<HttpAppOptions> = {}) => {
  const log = capturedLog();
  const built = await createHttpApp({
    name: 'test',
    logger: log.logger,
    defaultMetrics: false,
    ...options,
  });
  built.post(
    '/agreements',
    {
      schema: {
        body: z.object({
          partnerCity: z.string().regex(/^[a-z]{2}-[a-z0-9-]+$/),
          kind: z.enum(['sister', 'friendship', 'cooperation']),
          terms: z.object({ purpose: z.string().min(1) }),
        }),
        response: { 201: z.object({ id: z.string() }) },
      },
    },
    async (request, reply) => reply.status(201).send({ id: `${request.body.partnerCity}-1` }),
  );
  built.get(
    '/agreements/:id',
    {
      schema: {
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ at: z.iso.date().optional() }),
      },
    },
    (request) => {
      request.log.info({ agreementId: request.params.id }, 'reading agreement');
      return { id: request.params.id };
    },
  );
  built.post('/agreements/:id/suspend', () => {
    throw AgreementConflict({
      detail: 'A proposed agreement cannot be suspended',
      extensions: { allowedActions: ['accept', 'counter-propose'], status: 999 },
      headers: { 'retry-after': '0' },
    });
  });
  built.get('/explode', () => {
    throw new Error('connection to postgres://admin:hunter2@db failed');
  });
  app = built;
  return { app: built, log: log.lines };
};

const problemOf = (response: { headers: Record<string, unknown>; json: () => unknown }) => {
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  return response.json() as ProblemDocument;
};

describe('problem+json errors', () => {
  it('turns zod validation errors into a 400 naming every bad field', async () => {
    const { app } = await buildApp();
    const response = await app.inject({
      method: 'POST',
      url: '/agreements?draft=1',
      payload: { partnerCity: 'Kiel', kind: 'twin', terms: {} },
    });
    expect(response.statusCode).toBe(400);
    const problem = problemOf(response);
    expect(problem).toMatchObject({
      type: 'urn:twinning:problem:validation',
      title: 'Request validation failed',
      status: 400,
      code: 'TWN_ERR_VALIDATION',
      instance: '/agreements',
    });
    expect(problem.errors?.map((error) => error.path)).toEqual([
      'body.partnerCity',
      'body.kind',
      'body.terms.purpose',
    ]);
    for (const error of problem.errors ?? []) expect(error.message).not.toBe('');
    expect(problem.detail).toContain('body.partnerCity, body.kind, body.terms.purpose');
  });

  it('names bad path parameters and query parameters with their location', async () => {
    const { app } = await buildApp();
    const params = problemOf(await app.inject({ method: 'GET', url: '/agreements/nope' }));
    expect(params.errors?.map((error) => error.path)).toEqual(['params.id']);
    const query = problemOf(
      await app.inject({
        method: 'GET',
        url: '/agreements/0b7f1e2a-5c1d-4f5e-9a53-3c1f7a9d2b10?at=yesterday',
      }),
    );
    expect(query.errors?.map((error) => error.path)).toEqual(['querystring.at']);
  });

  it('accepts a valid request and serialises the typed response', async () => {
    const { app } = await buildApp();
    const response = await app.inject({
      method: 'POST',
      url: '/agreements',
      payload: { partnerCity: 'de-kiel', kind: 'sister', terms: { purpose: 'Reconciliation' } },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: 'de-kiel-1' });
  });

  it('answers unknown routes with 404', async () => {
    const { app } = await buildApp();
    const response = await app.inject({ method: 'DELETE', url: '/treaties/1?x=y' });
    expect(response.statusCode).toBe(404);
    expect(problemOf(response)).toMatchObject({
      status: 404,
      code: 'TWN_ERR_NOT_FOUND',
      detail: 'No route for DELETE /treaties/1',
      instance: '/treaties/1',
    });
  });

  it('answers an unsupported content type with 415', async () => {
    const { app } = await buildApp();
    const response = await app.inject({
      method: 'POST',
      url: '/agreements',
      headers: { 'content-type': 'application/xml' },
      payload: '<agreement/>',
    });
    expect(response.statusCode).toBe(415);
    expect(problemOf(response)).toMatchObject({
      status: 415,
      code: 'TWN_ERR_UNSUPPORTED_MEDIA_TYPE',
    });
  });

  it('answers malformed and empty JSON with 400', async () => {
    const { app } = await buildApp();
    for (const payload of ['{"partnerCity": ', '']) {
      const response = await app.inject({
        method: 'POST',
        url: '/agreements',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(problemOf(response)).toMatchObject({ status: 400, code: 'TWN_ERR_MALFORMED_BODY' });
    }
  });

  it('answers a body over the limit with 413', async () => {
    const { app } = await buildApp({ bodyLimitBytes: 64 });
    const response = await app.inject({
      method: 'POST',
      url: '/agreements',
      payload: { partnerCity: 'gb-coventry', kind: 'sister', terms: { purpose: 'x'.repeat(100) } },
    });
    expect(response.statusCode).toBe(413);
    expect(problemOf(response)).toMatchObject({ status: 413, code: 'TWN_ERR_PAYLOAD_TOO_LARGE' });
  });

  it('answers an unexpected error with a 500 that leaks nothing, and logs the stack', async () => {
    const { app, log } = await buildApp();
    const response = await app.inject({ method: 'GET', url: '/explode' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('postgres');
    const problem = problemOf(response);
    expect(problem).toMatchObject({
      status: 500,
      code: 'TWN_ERR_INTERNAL',
      title: 'Internal server error',
    });
    expect(Object.keys(problem).sort()).toEqual(
      ['code', 'correlationId', 'detail', 'instance', 'status', 'title', 'type'].sort(),
    );
    const failure = log.find((line) => line.msg === 'request failed');
    expect(failure?.['err']).toMatchObject({
      message: 'connection to postgres://admin:hunter2@db failed',
      stack: expect.stringContaining('create-http-app.unit.spec.ts') as unknown,
    });
    expect(failure?.correlationId).toBe(problem.correlationId);
  });

  it('sends a typed problem with its code, extensions and headers, core members intact', async () => {
    const { app } = await buildApp();
    const response = await app.inject({ method: 'POST', url: '/agreements/a1/suspend' });
    expect(response.statusCode).toBe(409);
    expect(response.headers['retry-after']).toBe('0');
    expect(problemOf(response)).toEqual({
      type: 'urn:twinning:problem:agreement-conflict',
      title: 'The agreement does not allow this now',
      status: 409,
      detail: 'A proposed agreement cannot be suspended',
      instance: '/agreements/a1/suspend',
      code: 'TWN_ERR_AGREEMENT_CONFLICT',
      correlationId: response.headers['x-correlation-id'],
      allowedActions: ['accept', 'counter-propose'],
    });
  });

  it('refuses to declare a problem with a status that is not an error', () => {
    expect(() => createProblem('TWN_ERR_FINE', 200, 'Fine')).toThrow(RangeError);
  });
});

describe('correlation ids and request logging', () => {
  it('echoes the caller correlation id and stamps it on every log line of the request', async () => {
    const { app, log } = await buildApp();
    const response = await app.inject({
      method: 'GET',
      url: '/agreements/0b7f1e2a-5c1d-4f5e-9a53-3c1f7a9d2b10',
      headers: { 'x-correlation-id': 'coventry-kiel-1947' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-correlation-id']).toBe('coventry-kiel-1947');
    const requestLines = log.filter((line) => line.requestId !== undefined);
    expect(requestLines.map((line) => line.msg)).toEqual([
      'reading agreement',
      'request completed',
    ]);
    for (const line of requestLines) expect(line.correlationId).toBe('coventry-kiel-1947');
    expect(requestLines[1]).toMatchObject({
      method: 'GET',
      url: '/agreements/0b7f1e2a-5c1d-4f5e-9a53-3c1f7a9d2b10',
      statusCode: 200,
      durationMs: expect.any(Number) as unknown,
    });
    expect(requestLines[1]?.requestId).toMatch(UUID);
  });

  it('generates a uuid when the caller sends none, or one that is not acceptable', async () => {
    const { app } = await buildApp();
    const without = await app.inject({ method: 'GET', url: '/health/live' });
    const unacceptable = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-correlation-id': `bad id ${'x'.repeat(200)}` },
    });
    expect(without.headers['x-correlation-id']).toMatch(UUID);
    expect(unacceptable.headers['x-correlation-id']).toMatch(UUID);
    expect(unacceptable.headers['x-correlation-id']).not.toBe(without.headers['x-correlation-id']);
  });

  it('logs the actor that an authentication hook set', async () => {
    const { app, log } = await buildApp();
    app.addHook('onRequest', (request, _reply, done) => {
      request.actor = { subject: 'clerk-42' };
      done();
    });
    await app.inject({ method: 'GET', url: '/health/live' });
    expect(log.find((line) => line.msg === 'request completed')?.['actor']).toBe('clerk-42');
  });

  it('redacts authorization headers and secrets from log lines', async () => {
    const { app, log } = await buildApp();
    app.get('/echo-headers', (request) => {
      request.log.info({ headers: request.headers, config: { secret: 's3cr3t' } }, 'headers seen');
      return {};
    });
    await app.inject({
      method: 'GET',
      url: '/echo-headers',
      headers: { authorization: 'Bearer eyJhbGciOi.secret.token' },
    });
    const line = log.find((entry) => entry.msg === 'headers seen');
    expect(JSON.stringify(line)).not.toContain('eyJhbGciOi');
    expect(JSON.stringify(line)).not.toContain('s3cr3t');
    expect(line?.['headers']).toMatchObject({ authorization: '[redacted]' });
  });
});

describe('metrics', () => {
  const scrape = async (target: HttpApp): Promise<string> => {
    const response = await target.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return response.body;
  };

  it('counts requests by method, route template and status, and times them', async () => {
    const { app } = await buildApp();
    await app.inject({ method: 'GET', url: '/agreements/0b7f1e2a-5c1d-4f5e-9a53-3c1f7a9d2b10' });
    await app.inject({ method: 'GET', url: '/agreements/4d1c6a55-8f0b-4c39-a4e7-2f1b9c0d7e31' });
    await app.inject({ method: 'GET', url: '/agreements/not-a-uuid' });
    await app.inject({ method: 'GET', url: '/no/such/route' });
    const text = await scrape(app);
    expect(text).toContain(
      'http_requests_total{method="GET",route="/agreements/:id",status="200",service="test"} 2',
    );
    expect(text).toContain(
      'http_requests_total{method="GET",route="/agreements/:id",status="400",service="test"} 1',
    );
    expect(text).toContain(
      'http_requests_total{method="GET",route="unmatched",status="404",service="test"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{service="test",method="GET",route="/agreements/:id",status="200"} 2',
    );
  });

  it('exposes default process metrics and the metrics a service registers', async () => {
    const { app } = await buildApp({ defaultMetrics: true });
    const appended = app.metrics.counter({
      name: 'twinning_events_appended_total',
      help: 'Events appended.',
      labelNames: ['type'],
    });
    appended.inc({ type: 'AgreementProposed' }, 3);
    const text = await scrape(app);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain(
      'twinning_events_appended_total{type="AgreementProposed",service="test"} 3',
    );
  });

  it('keeps a registry per app, so two apps in one process count separately', async () => {
    const first = (await buildApp()).app;
    const second = await createHttpApp({ name: 'other', logger: capturedLog().logger });
    try {
      second.metrics.counter({ name: 'twinning_events_appended_total', help: 'Events appended.' });
      await first.inject({ method: 'GET', url: '/health/live' });
      await first.inject({ method: 'GET', url: '/health/live' });
      await second.inject({ method: 'GET', url: '/health/live' });
      expect(await scrape(first)).toContain(
        'http_requests_total{method="GET",route="/health/live",status="200",service="test"} 2',
      );
      expect(await scrape(second)).toContain(
        'http_requests_total{method="GET",route="/health/live",status="200",service="other"} 1',
      );
    } finally {
      await second.close();
    }
  });
});

describe('health', () => {
  it('reports liveness without consulting any dependency', async () => {
    const { app } = await buildApp({
      readinessChecks: {
        database: () => {
          throw new Error('down');
        },
      },
    });
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'live' });
  });

  it('is ready when every readiness check passes', async () => {
    const { app } = await buildApp({ readinessChecks: { database: async () => {} } });
    app.readiness.add('event-store', () => {});
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'database', status: 'pass' },
        { name: 'event-store', status: 'pass' },
      ],
    });
  });

  it('answers 503 listing the checks that failed or timed out', async () => {
    const { app, log } = await buildApp({
      readinessTimeoutMs: 50,
      readinessChecks: {
        database: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:5432')),
        'event-store': (signal) =>
          new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
        projections: () => {},
      },
    });
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(response.json()).toMatchObject({
      status: 'not_ready',
      checks: [
        { name: 'database', status: 'fail', reason: 'failed' },
        { name: 'event-store', status: 'fail', reason: 'timeout' },
        { name: 'projections', status: 'pass' },
      ],
    });
    const warnings = log.filter((line) => line.msg === 'readiness check failed');
    expect(warnings.map((line) => line['check'])).toEqual(['database', 'event-store']);
  });

  it('refuses two readiness checks with the same name', async () => {
    const { app } = await buildApp({ readinessChecks: { database: () => {} } });
    expect(() => app.readiness.add('database', () => {})).toThrow('already registered');
  });
});

describe('OpenAPI', () => {
  it('describes zod-typed routes in /openapi.json and hides the internal ones', async () => {
    const { app } = await buildApp({ version: '1.2.3' });
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: unknown[] }>>;
    }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info).toMatchObject({ title: 'test', version: '1.2.3' });
    expect(document.paths['/agreements']?.['post']?.requestBody).toMatchObject({
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['partnerCity', 'kind', 'terms'],
            properties: { kind: { enum: ['sister', 'friendship', 'cooperation'] } },
          },
        },
      },
    });
    expect(document.paths['/agreements/{id}']?.['get']?.parameters).toHaveLength(2);
    expect(Object.keys(document.paths)).not.toContain('/metrics');
    expect(Object.keys(document.paths)).not.toContain('/openapi.json');
  });
});
