import { ConfigError, createLogger, runUntilSignalled } from '@twinning/http-kit';
import { describeLocation } from '@twinning/storage';
import { loadStandaloneConfig } from './standalone-config.js';
import { startStandaloneSystem } from './standalone-system.js';

const banner = (url: string, store: string, usesDefaultSecret: boolean): string =>
  [
    '',
    `  Twinning is running at ${url}`,
    `  Events and read models: ${store}`,
    '',
    `  Web workspace       ${url}/   (sign in as a clerk, an auditor or an admin)`,
    `  API documentation   ${url}/docs`,
    `  Health              ${url}/health/ready`,
    '',
    '  Get a development token (in another terminal):',
    '    pnpm --silent token --role clerk --municipality gb-coventry --name "Coventry clerk"',
    '    pnpm --silent token --role auditor --name "Auditor"',
    `  and send it as "Authorization: Bearer <token>".`,
    ...(usesDefaultSecret
      ? ['', '  Tokens are signed with the public development secret: for local use only.']
      : []),
    '',
    '  See it work:  pnpm demo',
    '',
  ].join('\n');

const main = async (): Promise<void> => {
  const config = loadStandaloneConfig();
  const logger = createLogger({ name: 'twinning', level: config.logLevel });
  const system = await startStandaloneSystem(config, logger);
  runUntilSignalled(system.app, { onShutdown: [() => system.storage.close()] });
  await system.app.listen({ port: config.port, host: config.host });
  const address = system.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  process.stdout.write(
    banner(
      `http://${host}:${port}`,
      describeLocation(config.storage.eventStore),
      config.auth.mode === 'dev' && config.auth.usesDefaultSecret,
    ),
  );
};

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : `Twinning failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
