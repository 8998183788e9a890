import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from 'prom-client';

/**
 * One Prometheus registry per app, never prom-client's global one, so that several apps in a
 * process (standalone mode, tests) each count their own requests.
 */
export interface AppMetrics {
  readonly registry: Registry;
  readonly httpRequestsTotal: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDurationSeconds: Histogram<'method' | 'route' | 'status'>;
  counter<Label extends string>(
    configuration: Omit<CounterConfiguration<Label>, 'registers'>,
  ): Counter<Label>;
  histogram<Label extends string>(
    configuration: Omit<HistogramConfiguration<Label>, 'registers'>,
  ): Histogram<Label>;
  gauge<Label extends string>(
    configuration: Omit<GaugeConfiguration<Label>, 'registers'>,
  ): Gauge<Label>;
}

export interface AppMetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC); on by default. */
  readonly defaultMetrics?: boolean;
  /** Labels added to every series, e.g. `{ service: 'api' }`. */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

export const createAppMetrics = (options: AppMetricsOptions = {}): AppMetrics => {
  const registry = new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels({ ...options.defaultLabels });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const registers = [registry];
  return {
    registry,
    httpRequestsTotal: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests completed, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpRequestDurationSeconds: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending the response, by route template.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    counter: (configuration) => new Counter({ ...configuration, registers }),
    histogram: (configuration) => new Histogram({ ...configuration, registers }),
    gauge: (configuration) => new Gauge({ ...configuration, registers }),
  };
};
