import { describe, expect, it } from 'vitest';
import { parseSmokeTestOptions, SmokeTestUsageError } from './smoke-test.js';

describe('parseSmokeTestOptions', () => {
  it('reads the environment an operator sets, with the smoke-test cities by default', () => {
    const options = parseSmokeTestOptions([], {
      SMOKE_API_URL: 'https://twinning.example.org',
      SMOKE_HEALTH_URLS: 'http://projector:3001, http://webhook-dispatcher:3002',
      SMOKE_WEBHOOK_LISTEN: '0.0.0.0:4000',
      SMOKE_WEBHOOK_URL: 'https://smoke.example.org/hook',
      SMOKE_TIMEOUT: '90',
    });
    expect(options).toEqual({
      apiUrl: 'https://twinning.example.org',
      serviceUrls: ['http://projector:3001', 'http://webhook-dispatcher:3002'],
      tokens: { kind: 'dev', secret: undefined },
      proposer: { cityId: 'zz-smoke-north', name: 'Smoke North' },
      partner: { cityId: 'zz-smoke-south', name: 'Smoke South' },
      webhooks: {
        kind: 'receive',
        listenHost: '0.0.0.0',
        listenPort: 4000,
        publicUrl: 'https://smoke.example.org/hook',
        tls: undefined,
      },
      timeoutMs: 90_000,
    });
  });

  it('lets flags win over the environment, and takes production tokens as given', () => {
    const options = parseSmokeTestOptions(
      ['--api-url', 'http://127.0.0.1:3000', '--proposer-city', 'gb-coventry', '--skip-webhooks'],
      {
        SMOKE_API_URL: 'https://ignored.example.org',
        SMOKE_PROPOSER_TOKEN: 'proposer.jwt',
        SMOKE_PARTNER_TOKEN: 'partner.jwt',
        SMOKE_ADMIN_TOKEN: ' ',
      },
    );
    expect(options).toMatchObject({
      apiUrl: 'http://127.0.0.1:3000',
      proposer: { cityId: 'gb-coventry', name: 'Coventry' },
      tokens: {
        kind: 'given',
        proposerClerk: 'proposer.jwt',
        partnerClerk: 'partner.jwt',
        admin: undefined,
      },
      webhooks: { kind: 'skip' },
    });
  });

  it('answers help', () => {
    expect(parseSmokeTestOptions(['--help'], {})).toBe('help');
  });

  it.each([
    [[], {}, '--api-url (or SMOKE_API_URL) is required'],
    [['--api-url', 'twinning.example.org'], {}, '--api-url must be an absolute'],
    [
      ['--api-url', 'http://a', '--proposer-city', 'Coventry'],
      {},
      '--proposer-city must be a city id',
    ],
    [['--api-url', 'http://a', '--partner-city', 'zz-smoke-north'], {}, 'must differ'],
    [['--api-url', 'http://a', '--timeout', 'soon'], {}, '--timeout must be a number'],
    [
      ['--api-url', 'http://a', '--webhook-listen', '4000'],
      {},
      '--webhook-listen must be host:port',
    ],
    [['--api-url', 'http://a', '--webhook-tls-cert', 'cert.pem'], {}, 'go together'],
    [
      [
        '--api-url',
        'http://a',
        '--webhook-tls-cert',
        '/nonexistent/cert.pem',
        '--webhook-tls-key',
        '/nonexistent/key.pem',
      ],
      {},
      'cannot read /nonexistent/cert.pem',
    ],
    [
      ['--api-url', 'http://a'],
      { SMOKE_PROPOSER_TOKEN: 'only-one' },
      'set both SMOKE_PROPOSER_TOKEN and SMOKE_PARTNER_TOKEN',
    ],
    [
      ['--api-url', 'http://a'],
      { SMOKE_SKIP_WEBHOOKS: 'maybe' },
      'SMOKE_SKIP_WEBHOOKS must be true or false',
    ],
    [['--api-url', 'http://a', '--unknown'], {}, "Unknown option '--unknown'"],
  ] as const)('refuses %j %j with a usage error', (argv, env, message) => {
    expect(() => parseSmokeTestOptions(argv, env)).toThrow(SmokeTestUsageError);
    expect(() => parseSmokeTestOptions(argv, env)).toThrow(message);
  });
});
