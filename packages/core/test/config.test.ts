import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  createLogger,
  defineConfig,
  redactConfig,
  Secret,
  secret,
} from '../src/index.js';

const schema = z.object({
  PORT: z.coerce.number().int().min(1).default(3000),
  DEBUG: z.stringbool().default(false),
  DATABASE_URL: secret(z.url()),
  API_KEY: secret(z.string().min(8)),
});

const good = {
  PORT: '8080',
  DEBUG: 'true',
  DATABASE_URL: 'postgres://u:pw@db/app',
  API_KEY: 'k-12345678',
};

describe('defineConfig', () => {
  it('coerces environment strings to typed values', () => {
    const config = defineConfig(schema, good);
    expect(config.PORT).toBe(8080);
    expect(config.DEBUG).toBe(true);
    expect(config.API_KEY.reveal()).toBe('k-12345678');
  });

  it('applies defaults for absent variables', () => {
    const config = defineConfig(schema, { DATABASE_URL: good.DATABASE_URL, API_KEY: good.API_KEY });
    expect(config.PORT).toBe(3000);
    expect(config.DEBUG).toBe(false);
  });

  it('reads process.env by default', () => {
    process.env.MILKYWAY_TEST_VALUE = '42';
    try {
      expect(
        defineConfig(z.object({ MILKYWAY_TEST_VALUE: z.coerce.number() })).MILKYWAY_TEST_VALUE,
      ).toBe(42);
    } finally {
      delete process.env.MILKYWAY_TEST_VALUE;
    }
  });

  it('fails with one error listing every bad or missing variable', () => {
    let caught: unknown;
    try {
      defineConfig(schema, { PORT: 'eighty', API_KEY: 'short' });
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.is(caught)).toBe(true);
    const error = caught as ConfigError;
    expect(error.issues.map((i) => i.key).sort()).toEqual(['API_KEY', 'DATABASE_URL', 'PORT']);
    expect(error.message).toMatch(/Invalid configuration:\n {2}- /);
    expect(error.message).toMatch(/DATABASE_URL: missing/);
  });

  it('never puts a rejected secret value in the error', () => {
    expect(() => defineConfig(schema, { ...good, API_KEY: 'hunter2' })).toThrow(ConfigError);
    try {
      defineConfig(schema, { ...good, API_KEY: 'hunter2' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2');
    }
  });

  it('redacts secrets when the config is printed, serialized or logged', () => {
    const config = defineConfig(schema, good);
    expect(JSON.stringify(config)).not.toContain('pw@db');
    expect(JSON.stringify(config)).toContain('[redacted]');
    expect(inspect(config)).not.toContain('k-12345678');
    expect(`${config.API_KEY}`).toBe('[redacted]');
    expect(redactConfig(config)).toEqual({
      PORT: 8080,
      DEBUG: true,
      DATABASE_URL: '[redacted]',
      API_KEY: '[redacted]',
    });
    const lines: string[] = [];
    createLogger({ write: (line) => lines.push(line) }).info({ config }, 'starting');
    expect(lines.join('')).not.toContain('k-12345678');
  });

  it('freezes the config', () => {
    const config = defineConfig(schema, good) as { PORT: number };
    expect(() => {
      config.PORT = 1;
    }).toThrow();
    expect(Secret.is(defineConfig(schema, good).API_KEY)).toBe(true);
  });
});
