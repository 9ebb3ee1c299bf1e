// Typed configuration from the environment, with secrets redacted.
import { createService, defineConfig, redactConfig, secret } from '@milkyway/core';
import { z } from 'zod';

// Throws one ConfigError listing every bad or missing variable, at start-up.
export const config = defineConfig(
  z.object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    PUBLIC_API: z.stringbool().default(false),
    DATABASE_URL: secret(z.url()),
  }),
);

export const service = createService({ name: 'accounts', version: '1.0.0' });
service.logger.info({ config: redactConfig(config) }, 'configured'); // DATABASE_URL: "[redacted]"

export function connectionString(): string {
  return config.DATABASE_URL.reveal(); // the only way to read a secret
}
