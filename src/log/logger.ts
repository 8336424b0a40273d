/**
 * The service's structured logger: pino, JSON lines. This is the only file that imports pino; everything
 * else takes a `Logger` (child loggers for per-request fields).
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Fields that hold secrets, at the top level or one object down (`{ config }`, `{ headers }`), written as "[redacted]". */
const SECRET_KEYS = ['discordToken', 'slackBotToken', 'slackAppToken', 'slackSigningSecret', 'accessToken', 'token', 'authorization', 'cookie'];
export const REDACTED_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((key) => `*.${key}`), 'config.hub.accessToken', 'req.headers.authorization', 'req.headers.cookie'];

/**
 * A logger at `level` (default `info`) writing JSON lines to `destination` (default stdout).
 * Tests pass a writable stream to read the lines back.
 */
export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'glance' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
