/** probeListenAddress: a free port and port 0 pass; a taken port and an address this machine lacks are CONFIG_INVALID naming the variables. */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../engine/errors.ts';
import { probeListenAddress } from '../../cli/port-probe.ts';

describe('probeListenAddress', () => {
  it('passes a free port (and leaves it free) and port 0', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    await probeListenAddress('127.0.0.1', port);
    await probeListenAddress('127.0.0.1', port); // closed again after the first probe
    await probeListenAddress('127.0.0.1', 0);
  });

  it('refuses a taken port', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(probeListenAddress('127.0.0.1', port)).rejects.toMatchObject({
        code: ErrorCode.ConfigInvalid,
        message: expect.stringContaining(`127.0.0.1:${port} (GLANCE_HTTP_HOST:GLANCE_HTTP_PORT) is already in use`),
        details: { variables: ['GLANCE_HTTP_HOST', 'GLANCE_HTTP_PORT'], errno: 'EADDRINUSE' },
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses an address that is not this machine\'s', async () => {
    // 192.0.2.1 is TEST-NET-1 (documentation only): no interface has it.
    await expect(probeListenAddress('192.0.2.1', 3999)).rejects.toMatchObject({ code: ErrorCode.ConfigInvalid, message: expect.stringContaining('is not an address of this machine') });
  });

  it('checks the host with port 0 too (any free port, but on an address this machine has)', async () => {
    await expect(probeListenAddress('192.0.2.1', 0)).rejects.toMatchObject({ code: ErrorCode.ConfigInvalid, message: expect.stringContaining('192.0.2.1:0 (GLANCE_HTTP_HOST:GLANCE_HTTP_PORT) is not an address of this machine') });
  });
});
