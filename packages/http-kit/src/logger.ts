import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from './config.js';

/** Paths whose values never reach a log line, wherever a caller logs headers or config. */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.apiKey',
  '*.clientSecret',
  'password',
  'secret',
  'token',
  'apiKey',
];

export interface LoggerOptions {
  readonly name: string;
  readonly level?: LogLevel;
  /** Added to the default redactions. */
  readonly redact?: readonly string[];
  /** `auto` (default): pretty only when stdout is a terminal and pino-pretty can be loaded. */
  readonly pretty?: 'auto' | boolean;
  /** Where JSON lines go (stdout by default); tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

const loadPrettyStream = (): PrettyFactory | undefined => {
  try {
    // pino-pretty is CommonJS; a synchronous require keeps logger creation synchronous and avoids
    // a transport worker thread, so nothing is lost when the process exits.
    const loaded = createRequire(import.meta.url)('pino-pretty') as
      PrettyFactory | { default: PrettyFactory };
    return typeof loaded === 'function' ? loaded : loaded.default;
  } catch {
    // Production images may prune it; JSON is the right output there anyway.
    return undefined;
  }
};

export const createLogger = (options: LoggerOptions): Logger => {
  const pinoOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: [...REDACTED_PATHS, ...(options.redact ?? [])], censor: '[redacted]' },
  };
  if (options.destination !== undefined) return pino(pinoOptions, options.destination);

  const wantsPretty = options.pretty ?? 'auto';
  const pretty =
    wantsPretty === true || (wantsPretty === 'auto' && process.stdout.isTTY)
      ? loadPrettyStream()
      : undefined;
  if (pretty === undefined) return pino(pinoOptions);
  return pino(
    pinoOptions,
    pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  );
};
