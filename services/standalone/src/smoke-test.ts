import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runSmokeTest, SmokeTestFailedError, type SmokeTestOptions } from './smoke-test-run.js';

/**
 * `node dist/smoke-test.js` (in the standalone image) or
 * `pnpm --filter @twinning/standalone exec tsx --conditions=@twinning/source src/smoke-test.ts`:
 * the operator's end-to-end check of a deployment. Exit code 0 when every step passed, 1 when
 * one failed, 2 when the options are wrong. See docs/operations.md, "Smoke test".
 */

export const SMOKE_TEST_USAGE = `Usage: smoke-test --api-url <url> [options]

Checks a deployed Twinning: health of every service, one agreement proposed, accepted and signed
by two clerks and activated (then terminated), and a signed webhook received.

  --api-url <url>           the API (SMOKE_API_URL)
  --service-url <url>       another service whose /health to check, e.g. the projector and the
                            dispatcher; repeatable (SMOKE_HEALTH_URLS, comma-separated)
  --proposer-city <id>      city of the proposing clerk (SMOKE_PROPOSER_CITY, zz-smoke-north)
  --partner-city <id>       city of the partner clerk (SMOKE_PARTNER_CITY, zz-smoke-south)
  --skip-webhooks           no webhook check, e.g. when the webhook admin API is not deployed
                            (SMOKE_SKIP_WEBHOOKS=true)
  --webhook-listen <h:p>    where the receiver listens (SMOKE_WEBHOOK_LISTEN, 0.0.0.0:0)
  --webhook-url <url>       the receiver's URL as the deployment reaches it
                            (SMOKE_WEBHOOK_URL; default: the listening address)
  --webhook-tls-cert <pem>  serve the receiver over HTTPS with this certificate
  --webhook-tls-key <pem>   and this key (SMOKE_WEBHOOK_TLS_CERT, SMOKE_WEBHOOK_TLS_KEY)
  --timeout <seconds>       how long to wait for the webhook (SMOKE_TIMEOUT, 60)
  --help

Tokens: with AUTH_MODE=oidc, pass clerks of the two cities and an admin from your identity
provider in SMOKE_PROPOSER_TOKEN, SMOKE_PARTNER_TOKEN and SMOKE_ADMIN_TOKEN. Without them the
tokens are minted for AUTH_MODE=dev with AUTH_DEV_SECRET (or the public development secret).`;

/** The command line or environment does not describe a runnable smoke test. */
export class SmokeTestUsageError extends Error {
  override readonly name = 'SmokeTestUsageError';
}

const CITY_ID = /^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/;

const absoluteUrl = (what: string, value: string, protocols = ['http:', 'https:']): string => {
  if (!URL.canParse(value) || !protocols.includes(new URL(value).protocol)) {
    throw new SmokeTestUsageError(
      `${what} must be an absolute ${protocols.join(' or ')} URL: ${value}`,
    );
  }
  return value;
};

const cityOf = (what: string, cityId: string) => {
  if (!CITY_ID.test(cityId)) {
    throw new SmokeTestUsageError(`${what} must be a city id such as zz-smoke-north: ${cityId}`);
  }
  const slug = cityId.slice(3);
  return {
    cityId,
    name: slug.replace(
      /(^|-)([a-z0-9])/g,
      (_, dash: string, letter: string) => `${dash === '' ? '' : ' '}${letter.toUpperCase()}`,
    ),
  };
};

const booleanOf = (what: string, value: string | undefined): boolean => {
  if (value === undefined || value.trim() === '') return false;
  const word = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(word)) return true;
  if (['false', '0', 'no', 'off'].includes(word)) return false;
  throw new SmokeTestUsageError(`${what} must be true or false: ${value}`);
};

const present = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** Command-line options win over the environment; returns `'help'` for `--help`. */
export const parseSmokeTestOptions = (
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SmokeTestOptions | 'help' => {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'api-url': { type: 'string' },
        'service-url': { type: 'string', multiple: true },
        'proposer-city': { type: 'string' },
        'partner-city': { type: 'string' },
        'skip-webhooks': { type: 'boolean' },
        'webhook-listen': { type: 'string' },
        'webhook-url': { type: 'string' },
        'webhook-tls-cert': { type: 'string' },
        'webhook-tls-key': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SmokeTestUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return 'help';

  const apiUrl = present(values['api-url']) ?? present(env['SMOKE_API_URL']);
  if (apiUrl === undefined)
    throw new SmokeTestUsageError('--api-url (or SMOKE_API_URL) is required');
  const serviceUrls = (values['service-url'] ?? present(env['SMOKE_HEALTH_URLS'])?.split(',') ?? [])
    .map((url) => url.trim())
    .filter((url) => url !== '')
    .map((url) => absoluteUrl('--service-url', url));

  const proposer = cityOf(
    '--proposer-city',
    values['proposer-city'] ?? present(env['SMOKE_PROPOSER_CITY']) ?? 'zz-smoke-north',
  );
  const partner = cityOf(
    '--partner-city',
    values['partner-city'] ?? present(env['SMOKE_PARTNER_CITY']) ?? 'zz-smoke-south',
  );
  if (proposer.cityId === partner.cityId) {
    throw new SmokeTestUsageError('the proposer and partner cities must differ');
  }

  const timeoutText = values.timeout ?? present(env['SMOKE_TIMEOUT']) ?? '60';
  const timeoutSeconds = Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 3600) {
    throw new SmokeTestUsageError(
      `--timeout must be a number of seconds (1 to 3600): ${timeoutText}`,
    );
  }

  const proposerToken = present(env['SMOKE_PROPOSER_TOKEN']);
  const partnerToken = present(env['SMOKE_PARTNER_TOKEN']);
  if ((proposerToken === undefined) !== (partnerToken === undefined)) {
    throw new SmokeTestUsageError(
      'set both SMOKE_PROPOSER_TOKEN and SMOKE_PARTNER_TOKEN, or neither',
    );
  }
  const tokens: SmokeTestOptions['tokens'] =
    proposerToken !== undefined && partnerToken !== undefined
      ? {
          kind: 'given',
          proposerClerk: proposerToken,
          partnerClerk: partnerToken,
          admin: present(env['SMOKE_ADMIN_TOKEN']),
        }
      : { kind: 'dev', secret: present(env['AUTH_DEV_SECRET']) };

  const skipWebhooks =
    values['skip-webhooks'] === true ||
    booleanOf('SMOKE_SKIP_WEBHOOKS', env['SMOKE_SKIP_WEBHOOKS']);
  let webhooks: SmokeTestOptions['webhooks'] = { kind: 'skip' };
  if (!skipWebhooks) {
    const listen = values['webhook-listen'] ?? present(env['SMOKE_WEBHOOK_LISTEN']) ?? '0.0.0.0:0';
    const match = /^(.+):(\d{1,5})$/.exec(listen);
    const port = Number(match?.[2]);
    if (match?.[1] === undefined || port > 65_535) {
      throw new SmokeTestUsageError(`--webhook-listen must be host:port: ${listen}`);
    }
    const publicUrl = values['webhook-url'] ?? present(env['SMOKE_WEBHOOK_URL']);
    const certPath = values['webhook-tls-cert'] ?? present(env['SMOKE_WEBHOOK_TLS_CERT']);
    const keyPath = values['webhook-tls-key'] ?? present(env['SMOKE_WEBHOOK_TLS_KEY']);
    if ((certPath === undefined) !== (keyPath === undefined)) {
      throw new SmokeTestUsageError('--webhook-tls-cert and --webhook-tls-key go together');
    }
    const read = (what: string, path: string): Buffer => {
      try {
        return readFileSync(path);
      } catch (error) {
        throw new SmokeTestUsageError(
          `${what}: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    };
    webhooks = {
      kind: 'receive',
      listenHost: match[1].replace(/^\[|\]$/g, ''),
      listenPort: port,
      publicUrl: publicUrl === undefined ? undefined : absoluteUrl('--webhook-url', publicUrl),
      tls:
        certPath === undefined || keyPath === undefined
          ? undefined
          : { cert: read('--webhook-tls-cert', certPath), key: read('--webhook-tls-key', keyPath) },
    };
  }

  return {
    apiUrl: absoluteUrl('--api-url', apiUrl),
    serviceUrls,
    tokens,
    proposer,
    partner,
    webhooks,
    timeoutMs: timeoutSeconds * 1000,
  };
};

const main = async (): Promise<number> => {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let options: SmokeTestOptions | 'help';
  try {
    options = parseSmokeTestOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof SmokeTestUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${SMOKE_TEST_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    print(SMOKE_TEST_USAGE);
    return 0;
  }
  try {
    const report = await runSmokeTest(options, print);
    print('');
    print(
      `Smoke test passed: agreement ${report.agreementId}, webhook ${report.webhook}, ${report.steps.length} steps.`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof SmokeTestFailedError)) throw error;
    process.stderr.write(`\nSmoke test failed at ${error.message}\n`);
    return 1;
  }
};

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (invokedDirectly) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `smoke-test: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
