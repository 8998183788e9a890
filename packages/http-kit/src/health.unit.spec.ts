import { describe, expect, it } from 'vitest';
import { ReadinessCheckFailed, createReadiness } from './health.js';

describe('readiness details', () => {
  it('shows what a passing check reports and why a failing one failed', async () => {
    const readiness = createReadiness(1_000);
    readiness.add('projections', () => ({ projections: [{ name: 'agreements', lagEvents: 3 }] }));
    readiness.add('webhooks', () => {
      throw new ReadinessCheckFailed('parked', { parked: [{ position: '42' }] });
    });
    readiness.add('store', () => undefined);

    const report = await readiness.run();

    expect(report.status).toBe('not_ready');
    expect(report.checks).toEqual([
      expect.objectContaining({
        name: 'projections',
        status: 'pass',
        details: { projections: [{ name: 'agreements', lagEvents: 3 }] },
      }),
      expect.objectContaining({
        name: 'webhooks',
        status: 'fail',
        reason: 'failed',
        details: { parked: [{ position: '42' }] },
      }),
      expect.objectContaining({ name: 'store', status: 'pass' }),
    ]);
    expect(report.checks[2]).not.toHaveProperty('details');
  });
});
