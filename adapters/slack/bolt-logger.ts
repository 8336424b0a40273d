/** Bolt's, the Web API client's and Socket Mode's log lines, sent to glance's logger (component "slack"), or dropped. */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../src/log/logger.ts';

function text(parts: unknown[]): string {
  return parts.map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
}

export function boltLogger(log: Logger | undefined): SlackLogger {
  let level = LogLevel.INFO;
  const child = log?.child({ component: 'slack' });
  return {
    debug: (...parts) => child?.debug(text(parts)),
    info: (...parts) => child?.info(text(parts)),
    warn: (...parts) => child?.warn(text(parts)),
    error: (...parts) => child?.error(text(parts)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
