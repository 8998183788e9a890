import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  booleanVariable,
  durationVariable,
  loadConfig,
  logLevelVariable,
  portVariable,
  urlVariable,
} from './config.js';

const serviceSchema = z.object({
  PORT: portVariable().default(3000),
  DATABASE_URL: urlVariable(['postgres:', 'postgresql:']),
  SHUTDOWN_TIMEOUT: durationVariable().default(10_000),
  PRETTY_LOGS: booleanVariable().default(false),
  LOG_LEVEL: logLevelVariable().default('info'),
  WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters'),
});

const loadError = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(serviceSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('parses variables into typed values and applies defaults', () => {
    const config = loadConfig(serviceSchema, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      SHUTDOWN_TIMEOUT: '1m',
      PRETTY_LOGS: 'yes',
      WEBHOOK_SECRET: 'x'.repeat(32),
      UNRELATED: 'ignored',
    });
    expect(config).toEqual({
      PORT: 3000,
      DATABASE_URL: new URL('postgres://postgres@127.0.0.1:5432/test'),
      SHUTDOWN_TIMEOUT: 60_000,
      PRETTY_LOGS: true,
      LOG_LEVEL: 'info',
      WEBHOOK_SECRET: 'x'.repeat(32),
    });
  });

  it('treats an empty variable as unset, so its default applies', () => {
    const config = loadConfig(serviceSchema, {
      PORT: '',
      DATABASE_URL: 'postgresql://db/twinning',
      WEBHOOK_SECRET: 'y'.repeat(40),
    });
    expect(config.PORT).toBe(3000);
  });

  it('names every missing and invalid variable in one ConfigError', () => {
    const error = loadError({
      PORT: '70000',
      DATABASE_URL: 'https://not-a-database.example',
      SHUTDOWN_TIMEOUT: 'soon',
      PRETTY_LOGS: 'perhaps',
      LOG_LEVEL: 'verbose',
    });
    expect(error.variables).toEqual([
      'PORT',
      'DATABASE_URL',
      'SHUTDOWN_TIMEOUT',
      'PRETTY_LOGS',
      'LOG_LEVEL',
      'WEBHOOK_SECRET',
    ]);
    expect(error.message).toContain('6 problems');
    expect(error.message).toContain('PORT: must be between 0 and 65535');
    expect(error.message).toContain('DATABASE_URL: must use postgres or postgresql');
    expect(error.message).toContain('SHUTDOWN_TIMEOUT: must be a duration');
    expect(error.message).toContain('PRETTY_LOGS: must be true or false');
    expect(error.message).toContain('LOG_LEVEL: must be one of fatal, error');
    expect(error.message).toContain('WEBHOOK_SECRET: is required but not set');
  });

  it('never echoes a variable value, which may be a secret', () => {
    const error = loadError({
      DATABASE_URL: 'postgres://admin:hunter2-secret@db/twinning',
      WEBHOOK_SECRET: 'too-short-hunter2',
    });
    expect(error.variables).toEqual(['WEBHOOK_SECRET']);
    expect(error.message).toContain('WEBHOOK_SECRET: must be at least 32 characters');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('variable kinds', () => {
  it.each([
    ['250ms', 250],
    ['1500', 1500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('reads the duration %s as %i ms', (text, milliseconds) => {
    expect(durationVariable().parse(text)).toBe(milliseconds);
  });

  it.each(['', 'ten seconds', '-5s', '5 weeks'])('refuses the duration %j', (text) => {
    expect(durationVariable().safeParse(text).success).toBe(false);
  });

  it.each([
    ['true', true],
    ['FALSE', false],
    ['1', true],
    ['0', false],
    ['on', true],
    ['no', false],
  ])('reads the boolean %s as %s', (text, value) => {
    expect(booleanVariable().parse(text)).toBe(value);
  });

  it('reads ports, including 0 for any free port, and refuses non-integers', () => {
    expect(portVariable().parse('0')).toBe(0);
    expect(portVariable().parse('8080')).toBe(8080);
    expect(portVariable().safeParse('80.5').success).toBe(false);
    expect(portVariable().safeParse('http').success).toBe(false);
  });

  it('refuses relative URLs', () => {
    expect(urlVariable().safeParse('/jwks.json').success).toBe(false);
    expect(urlVariable().parse('https://id.example/jwks.json').hostname).toBe('id.example');
  });
});
