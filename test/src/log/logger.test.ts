import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, wantsPrettyLogs } from '../../../src/log/logger.ts';

function collector(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line)), text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes JSON lines at or above the level, with child fields', () => {
    const out = collector();
    const log = createLogger('info', out.stream);
    log.debug('hidden');
    log.child({ requestId: 'r1' }).info({ route: '/v1/ask' }, 'answered');
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'answered', requestId: 'r1', route: '/v1/ask', service: 'glance' });
  });

  it('defaults to info', () => {
    expect(createLogger(undefined, collector().stream).level).toBe('info');
  });

  it('redacts secrets at the top level and one object down', () => {
    const out = collector();
    const log = createLogger('info', out.stream);
    log.info({ token: 't0', config: { discordToken: 'd1', hub: { accessToken: 'h1' }, dataDir: './data' }, headers: { authorization: 'Bearer x' } }, 'started');
    const [line] = out.lines();
    expect(JSON.stringify(line)).not.toMatch(/t0|d1|h1|Bearer/);
    expect(line).toMatchObject({ token: '[redacted]', config: { discordToken: '[redacted]', hub: { accessToken: '[redacted]' }, dataDir: './data' }, headers: { authorization: '[redacted]' } });
  });
});

describe('pretty logs (pino-pretty)', () => {
  it('writes one readable line per entry (time, level, message, fields), not JSON, and no colour codes into a stream', () => {
    const out = collector();
    const log = createLogger('info', out.stream, { pretty: true });
    log.debug('hidden');
    log.warn({ component: 'discord' }, 'automatic alt text is off');
    const text = out.text();
    expect(text).toMatch(/^\[\d{2}:\d{2}:\d{2}\] WARN: automatic alt text is off\n\s+component: "discord"\n$/);
    expect(text).not.toContain('{"level"');
    expect(text).not.toContain('\u001b[');
    expect(text).not.toMatch(/hidden|pid|hostname/);
  });

  it('redacts secrets as the JSON lines do', () => {
    const out = collector();
    createLogger('info', out.stream, { pretty: true }).info({ token: 't0', config: { slackBotToken: 'xoxb-1' } }, 'started');
    expect(out.text()).not.toMatch(/t0|xoxb-1/);
    expect(out.text()).toContain('[redacted]');
  });

  it('are chosen by GLANCE_LOG_FORMAT: pretty always, json never, auto when stderr is a terminal', () => {
    expect(wantsPrettyLogs('pretty', false)).toBe(true);
    expect(wantsPrettyLogs('json', true)).toBe(false);
    expect(wantsPrettyLogs('auto', true)).toBe(true);
    expect(wantsPrettyLogs('auto', false)).toBe(false);
  });
});
