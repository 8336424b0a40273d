import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log/logger.ts';

function collector(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
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
