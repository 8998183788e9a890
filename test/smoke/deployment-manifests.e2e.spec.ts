import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiEnvironmentSchema, authEnvironmentSchema } from '@twinning/api';
import { dispatcherEnvironmentSchema } from '@twinning/webhook-dispatcher';
import { parseEncryptionKey, webhookEnvironmentSchema } from '@twinning/webhooks';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

/**
 * The deployment files say what the services read: every variable they set is one a service knows
 * and docs/operations.md describes, every probe hits a real health route, and no secret is
 * committed. (No container engine runs here; `docker compose config` runs in CI where it can.)
 */

const repositoryRoot = resolve(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(repositoryRoot, path), 'utf8');

type Yaml = Record<string, unknown>;
const isRecord = (value: unknown): value is Yaml =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const record = (value: unknown, what: string): Yaml => {
  if (!isRecord(value)) throw new Error(`${what} is not a mapping`);
  return value;
};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Variables named in the first column of the configuration tables of docs/operations.md. */
const documentedVariables = (() => {
  const reference =
    read('docs/operations.md').split('## Configuration reference')[1]?.split('\n## ')[0] ?? '';
  const variables = new Set<string>();
  for (const line of reference.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) variables.add(match[1]!);
  }
  return variables;
})();

const apiVariables = new Set([
  ...Object.keys(apiEnvironmentSchema.shape),
  ...Object.keys(authEnvironmentSchema.shape),
  // The webhook admin routes read the same settings as the dispatcher.
  ...Object.keys(webhookEnvironmentSchema.shape),
]);
const dispatcherVariables = new Set(Object.keys(dispatcherEnvironmentSchema.shape));
const projectorVariables = new Set(
  [...documentedVariables].filter(
    (variable) =>
      variable.startsWith('PROJECTION_') ||
      variable === 'EXPIRY_CHECK_INTERVAL' ||
      Object.keys(apiEnvironmentSchema.shape).includes(variable),
  ),
);
const knownVariablesOf: Readonly<Record<string, ReadonlySet<string>>> = {
  api: apiVariables,
  projector: projectorVariables,
  'webhook-dispatcher': dispatcherVariables,
};

describe('docs/operations.md, the configuration reference', () => {
  it('describes every variable the API, the auth settings, webhooks and the dispatcher read', () => {
    const undocumented = [...apiVariables, ...dispatcherVariables].filter(
      (variable) => !documentedVariables.has(variable),
    );
    expect(undocumented).toEqual([]);
    for (const variable of [
      'PROJECTION_BATCH_SIZE',
      'PROJECTION_LOCK_RETRY',
      'EXPIRY_CHECK_INTERVAL',
    ]) {
      expect(documentedVariables).toContain(variable);
    }
  });

  it('explains every alert of infra/prometheus/alerts.yml under the heading its runbook links to', () => {
    const operations = read('docs/operations.md');
    const anchors = new Set(
      [...operations.matchAll(/^#{2,4} (.+)$/gm)].map((match) =>
        match[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const rules = record(parseYaml(read('infra/prometheus/alerts.yml')), 'alerts.yml');
    const alerts = list(rules['groups']).flatMap((group) => list(record(group, 'group')['rules']));
    expect(alerts.length).toBeGreaterThan(5);
    for (const alert of alerts) {
      const rule = record(alert, 'rule');
      const runbook = String(record(rule['annotations'], 'annotations')['runbook']);
      expect(runbook, String(rule['alert'])).toMatch(/^docs\/operations\.md#/);
      expect(anchors, runbook).toContain(runbook.split('#')[1]);
      expect(operations).toContain(String(rule['alert']));
    }
  });
});

describe('infra/docker-compose.yml', () => {
  const compose = record(parseYaml(read('infra/docker-compose.yml'), { merge: true }), 'compose');
  const services = record(compose['services'], 'services');
  const envExample = read('infra/.env.example');

  it('runs both stores and the three services, each Twinning service on variables it reads', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['eventstore', 'postgres', 'api', 'projector', 'webhook-dispatcher']),
    );
    for (const [name, known] of Object.entries(knownVariablesOf)) {
      const environment = record(
        record(services[name], name)['environment'],
        `${name} environment`,
      );
      const unknown = Object.keys(environment).filter((variable) => !known.has(variable));
      expect(unknown, name).toEqual([]);
      expect(environment['EVENT_STORE_URL']).toBe('esdb://eventstore:2113?tls=false');
      expect(String(environment['DATABASE_URL'])).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(environment['HOST']).toBe('0.0.0.0');
    }
  });

  it('starts each service only after what it waits for is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = record(service, name)['depends_on'];
      if (dependsOn === undefined) continue;
      for (const [dependency, condition] of Object.entries(
        record(dependsOn, `${name} depends_on`),
      )) {
        expect(record(condition, dependency)['condition'], `${name} → ${dependency}`).toBe(
          'service_healthy',
        );
        const healthcheck = record(services[dependency], dependency)['healthcheck'];
        expect(record(healthcheck, `${dependency} healthcheck`)['test'], dependency).toBeDefined();
      }
    }
    for (const name of ['api', 'projector', 'webhook-dispatcher']) {
      expect(record(services[name], name)['depends_on']).toMatchObject({
        eventstore: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
    }
  });

  it('keeps the stores on named volumes', () => {
    const volumes = Object.keys(record(compose['volumes'], 'volumes'));
    for (const name of ['eventstore', 'postgres']) {
      const mounted = list(record(services[name], name)['volumes']).map(
        (mount) => String(mount).split(':')[0],
      );
      expect(
        mounted.some((volume) => volumes.includes(volume ?? '')),
        name,
      ).toBe(true);
    }
  });

  it('takes every secret from infra/.env, which .env.example lists without a value', () => {
    const text = read('infra/docker-compose.yml');
    for (const secret of ['POSTGRES_PASSWORD', 'WEBHOOK_ENCRYPTION_KEY', 'AUTH_DEV_SECRET']) {
      expect(text).toMatch(new RegExp(`\\$\\{${secret}[:}]`));
      expect(envExample).toMatch(new RegExp(`^${secret}=$`, 'm'));
    }
    // Variables compose insists on are the ones .env.example asks to fill in.
    const required = [...text.matchAll(/\$\{([A-Z_]+):\?/g)].map((match) => match[1]!);
    expect(new Set(required)).toEqual(new Set(['POSTGRES_PASSWORD', 'WEBHOOK_ENCRYPTION_KEY']));
  });
});

describe('infra/k8s', () => {
  const documentsOf = (path: string): Yaml[] =>
    parseAllDocuments(read(path)).map((document) => {
      expect(document.errors, path).toEqual([]);
      return record(document.toJS(), path);
    });
  const kustomizationDirs = ['infra/k8s', 'infra/k8s/eventstore'];
  const resources = kustomizationDirs.flatMap((dir) => {
    const kustomization = documentsOf(`${dir}/kustomization.yaml`)[0]!;
    return list(kustomization['resources']).flatMap((file) =>
      documentsOf(`${dir}/${String(file)}`),
    );
  });
  const byKind = (kind: string) => resources.filter((resource) => resource['kind'] === kind);
  const nameOf = (resource: Yaml) => String(record(resource['metadata'], 'metadata')['name']);

  it('lists every manifest in a kustomization, and every listed file exists', () => {
    for (const dir of kustomizationDirs) {
      const listed = list(documentsOf(`${dir}/kustomization.yaml`)[0]!['resources']).map(String);
      const onDisk = readdirSync(join(repositoryRoot, dir)).filter(
        (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
      );
      expect([...listed].sort()).toEqual([...onDisk].sort());
      for (const file of listed) expect(existsSync(join(repositoryRoot, dir, file))).toBe(true);
    }
  });

  const deployments = byKind('Deployment');
  const containerOf = (deployment: Yaml) => {
    const podSpec = record(
      record(record(deployment['spec'], 'spec')['template'], 'template')['spec'],
      'pod spec',
    );
    return { podSpec, container: record(list(podSpec['containers'])[0], 'container') };
  };

  it('deploys the API on several replicas behind a Service, and the workers ready to scale out', () => {
    expect(deployments.map(nameOf).sort()).toEqual([
      'twinning-api',
      'twinning-projector',
      'twinning-webhook-dispatcher',
    ]);
    for (const deployment of deployments) {
      expect(
        Number(record(deployment['spec'], 'spec')['replicas']),
        nameOf(deployment),
      ).toBeGreaterThanOrEqual(2);
    }
    const apiService = byKind('Service').find((service) => nameOf(service) === 'twinning-api');
    expect(record(apiService?.['spec'], 'service spec')['selector']).toEqual({
      'app.kubernetes.io/name': 'twinning-api',
    });
  });

  it.each(['twinning-api', 'twinning-projector', 'twinning-webhook-dispatcher'])(
    '%s: probes on the health routes, resources, a non-root user, configuration from the ConfigMap and Secret',
    (name) => {
      const deployment = deployments.find((candidate) => nameOf(candidate) === name)!;
      const { podSpec, container } = containerOf(deployment);
      const probePath = (probe: string) =>
        record(record(container[probe], probe)['httpGet'], `${probe}.httpGet`)['path'];
      expect(probePath('livenessProbe')).toBe('/health/live');
      expect(probePath('readinessProbe')).toBe('/health/ready');
      const resourcesOf = record(container['resources'], 'resources');
      const requests = record(resourcesOf['requests'], 'requests');
      expect(typeof requests['cpu']).toBe('string');
      expect(typeof requests['memory']).toBe('string');
      expect(typeof record(resourcesOf['limits'], 'limits')['memory']).toBe('string');
      expect(record(podSpec['securityContext'], 'securityContext')['runAsNonRoot']).toBe(true);
      const sources = list(container['envFrom']).map((source) => {
        const entry = record(source, 'envFrom');
        return String(record(entry['configMapRef'] ?? entry['secretRef'], 'ref')['name']);
      });
      expect(sources.sort()).toEqual(['twinning-config', 'twinning-secrets']);
    },
  );

  it('sets only documented variables, and keeps the JWT settings and the encryption key secret', () => {
    const configMap = byKind('ConfigMap').find(
      (resource) => nameOf(resource) === 'twinning-config',
    )!;
    const secret = byKind('Secret').find((resource) => nameOf(resource) === 'twinning-secrets')!;
    const configVariables = Object.keys(record(configMap['data'], 'data'));
    const secretData = record(secret['stringData'], 'stringData');
    expect(
      [...configVariables, ...Object.keys(secretData)].filter((v) => !documentedVariables.has(v)),
    ).toEqual([]);
    expect(Object.keys(secretData)).toEqual(
      expect.arrayContaining([
        'AUTH_JWKS_URL',
        'AUTH_ISSUER',
        'AUTH_AUDIENCE',
        'WEBHOOK_ENCRYPTION_KEY',
      ]),
    );
    expect(configVariables).not.toContain('WEBHOOK_ENCRYPTION_KEY');
    // The committed template carries no usable key: the services refuse to start with it.
    expect(() => parseEncryptionKey(String(secretData['WEBHOOK_ENCRYPTION_KEY']))).toThrow();
    expect(String(secretData['DATABASE_URL'])).toContain('REPLACE_ME');
  });

  it('describes a three-node EventStoreDB cluster that finds itself through a headless Service', () => {
    const statefulSet = byKind('StatefulSet').find(
      (resource) => nameOf(resource) === 'eventstore',
    )!;
    expect(record(statefulSet['spec'], 'spec')['replicas']).toBe(3);
    const { container } = containerOf(statefulSet);
    const env = Object.fromEntries(
      list(container['env']).map((entry): [string, unknown] => [
        String(record(entry, 'env')['name']),
        record(entry, 'env')['value'],
      ]),
    );
    expect(env).toMatchObject({
      EVENTSTORE_CLUSTER_SIZE: '3',
      EVENTSTORE_DISCOVER_VIA_DNS: 'true',
    });
    const headless = byKind('Service').find((resource) => nameOf(resource) === 'eventstore')!;
    expect(record(headless['spec'], 'spec')['clusterIP']).toBe('None');
  });
});
