/**
 * The service's structured logger: pino. JSON lines by default; human-readable lines through pino's own pretty
 * printer (pino-pretty) when a person reads them (GLANCE_LOG_FORMAT=pretty, or auto with stderr on a terminal).
 * This is the only file that imports pino; everything else takes a `Logger` (child loggers for per-request fields).
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** GLANCE_LOG_FORMAT's values. */
export type LogFormat = 'auto' | 'pretty' | 'json';

/** Fields that hold secrets, at the top level or one object down (`{ config }`, `{ headers }`), written as "[redacted]". */
const SECRET_KEYS = ['discordToken', 'slackBotToken', 'slackAppToken', 'slackSigningSecret', 'accessToken', 'token', 'authorization', 'cookie'];
export const REDACTED_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((key) => `*.${key}`), 'config.hub.accessToken', 'req.headers.authorization', 'req.headers.cookie'];

/** Whether `format` asks for human-readable lines: `pretty`, or `auto` while stderr is a terminal. */
export function wantsPrettyLogs(format: LogFormat, stderrIsTerminal: boolean = process.stderr.isTTY === true): boolean {
  return format === 'pretty' || (format === 'auto' && stderrIsTerminal);
}

export interface LoggerOptions {
  /** Human-readable lines (pino-pretty) instead of JSON lines. */
  pretty?: boolean;
}

/**
 * A logger at `level` (default `info`). JSON lines go to `destination` (default stdout, where log collectors read
 * them); pretty lines go to `destination` (default stderr, the terminal, coloured when it supports colour), written
 * synchronously so the last lines before an exit are not lost. Secrets are redacted in both. Tests pass a writable
 * stream to read the lines back.
 */
export function createLogger(level: string = 'info', destination?: DestinationStream, options: LoggerOptions = {}): Logger {
  const settings = { level, base: { service: 'glance' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (options.pretty) {
    const colorize = destination === undefined && process.stderr.isTTY === true && process.stderr.hasColors();
    return pino(settings, PinoPretty({ destination: destination ?? 2, sync: true, colorize, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss' }));
  }
  return destination ? pino(settings, destination) : pino(settings);
}
