import { z } from 'zod';

export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/** The environment does not describe a runnable service. Lists every offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  - ${issue.variable}: ${issue.message}`).join('\n'),
    );
  }

  get variables(): readonly string[] {
    return [...new Set(this.issues.map((issue) => issue.variable))];
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Parses environment variables with a zod object schema whose keys are variable names.
 * An empty variable counts as unset, so `PORT=` falls back to the default instead of failing.
 * Messages name variables but never echo their values, which may be secrets.
 */
export const loadConfig = <Schema extends z.ZodObject>(
  schema: Schema,
  env: Environment = process.env,
): z.output<Schema> => {
  const present = Object.fromEntries(
    Object.keys(schema.shape).flatMap((variable) => {
      const value = env[variable];
      return value === undefined || value.trim() === '' ? [] : [[variable, value]];
    }),
  );
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = issue.path[0];
      if (variable === undefined) return { variable: '(environment)', message: issue.message };
      return {
        variable: String(variable),
        message: String(variable) in present ? issue.message : 'is required but not set',
      };
    }),
  );
};

/** A TCP port, 0 to 65535 (0 asks the OS for a free one). */
export const portVariable = () =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65_535, 'must be between 0 and 65535');

/** An absolute URL, optionally limited to some protocols (`['http:', 'https:']`). */
export const urlVariable = (protocols?: readonly string[]) =>
  z.string().transform((value, context) => {
    if (!URL.canParse(value)) {
      context.addIssue({ code: 'custom', message: 'must be an absolute URL' });
      return z.NEVER;
    }
    const url = new URL(value);
    if (protocols !== undefined && !protocols.includes(url.protocol)) {
      context.addIssue({
        code: 'custom',
        message: `must use ${protocols.map((protocol) => protocol.replace(/:$/, '')).join(' or ')}`,
      });
      return z.NEVER;
    }
    return url;
  });

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;

/** A duration such as `250ms`, `30s`, `5m`, `1h`, `2d`, or a bare number of milliseconds; parsed to milliseconds. */
export const durationVariable = () =>
  z.string().transform((value, context) => {
    const match = DURATION_PATTERN.exec(value.trim());
    const amount = match?.[1];
    if (match === null || amount === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'must be a duration such as 500ms, 30s, 5m, 1h or 2d',
      });
      return z.NEVER;
    }
    const unit = (match[2] ?? 'ms') as keyof typeof DURATION_UNITS_MS;
    return Math.round(Number(amount) * DURATION_UNITS_MS[unit]);
  });

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** `true/false`, `1/0`, `yes/no`, `on/off` (any case). */
export const booleanVariable = () =>
  z.string().transform((value, context) => {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    context.addIssue({
      code: 'custom',
      message: 'must be true or false (also 1/0, yes/no, on/off)',
    });
    return z.NEVER;
  });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logLevelVariable = () =>
  z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` });
