// Listen failures of the HTTP adapter are CONFIG_INVALID errors that name the settings and say what to do.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenError } from '../../../adapters/http/listen-error.ts';
import { useTestServer } from './http-test-server.ts';

const server = useTestServer();
let occupier: Server;
let occupiedPort: number;

beforeAll(async () => {
  occupier = createServer();
  await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
  occupiedPort = (occupier.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => occupier.close(() => resolve())));

async function startError(overrides: Record<string, string>): Promise<any> {
  return server().startAdapter(overrides).then(
    () => expect.unreachable('the adapter should not have started'),
    (error: unknown) => error,
  );
}

describe('HTTP listen errors', () => {
  it('a port in use: CONFIG_INVALID naming GLANCE_HTTP_PORT and --port, saying to stop the other process or pick another port', async () => {
    const error = await startError({ GLANCE_HTTP_PORT: String(occupiedPort) });
    expect(error).toMatchObject({ name: 'GlanceError', code: 'CONFIG_INVALID' });
    expect(error.message).toContain(`127.0.0.1:${occupiedPort}`);
    expect(error.message).toContain('GLANCE_HTTP_PORT');
    expect(error.message).toContain('--port');
    expect(error.message).toContain('Stop that process, or pick another port');
    expect(error.details).toMatchObject({ reason: 'EADDRINUSE', port: occupiedPort });
  });

  it('a host that is not an address of this machine: CONFIG_INVALID naming GLANCE_HTTP_HOST and --host', async () => {
    const error = await startError({ GLANCE_HTTP_HOST: '192.0.2.1' });
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(error.message).toContain('GLANCE_HTTP_HOST');
    expect(error.message).toContain('--host');
  });

  it('a port the process may not use (EACCES): names the port setting; other errors pass through', () => {
    const denied = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES' });
    const error = listenError(denied, '0.0.0.0', 80) as any;
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(error.message).toContain('ports below 1024');
    expect(error.message).toContain('GLANCE_HTTP_PORT (glance start --port)');
    const other = new Error('something else');
    expect(listenError(other, '127.0.0.1', 3000)).toBe(other);
  });
});
