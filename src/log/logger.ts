/**
 * The service's structured logger: pino, JSON lines. This is the only file that imports pino; everything
 * else takes a `Logger` (child loggers for per-request fields).
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * A logger at `level` (default `info`) writing JSON lines to `destination` (default stdout).
 * Tests pass a writable stream to read the lines back.
 */
export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'glance' } };
  return destination ? pino(options, destination) : pino(options);
}
