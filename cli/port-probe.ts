/**
 * Checks, before a model is downloaded or converted (which can take an hour), that the HTTP server will be able to
 * listen on GLANCE_HTTP_HOST:GLANCE_HTTP_PORT: binds it with node:net and closes it again. A port that is taken, an
 * address this machine does not have, or a port that needs privileges is CONFIG_INVALID naming the variables.
 */
import { createServer } from 'node:net';
import { ErrorCode, GlanceError } from '../engine/errors.ts';

const PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'is already in use by another program. Stop that program, or pick another port with GLANCE_HTTP_PORT or --port (0 picks a free one)',
  EADDRNOTAVAIL: 'is not an address of this machine. Set GLANCE_HTTP_HOST or --host to one of its addresses (127.0.0.1 for this machine only, 0.0.0.0 for every interface)',
  EACCES: 'needs privileges this process does not have (ports below 1024 usually do). Pick a port of 1024 or above with GLANCE_HTTP_PORT or --port',
  ENOTFOUND: 'names a host that cannot be resolved. Set GLANCE_HTTP_HOST or --host to an address of this machine',
  EAI_AGAIN: 'names a host that cannot be resolved. Set GLANCE_HTTP_HOST or --host to an address of this machine',
};

/** Resolves when `host:port` can be bound; rejects with CONFIG_INVALID otherwise. Port 0 still checks the host. */
export function probeListenAddress(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const problem = (error.code && PROBLEMS[error.code]) ?? `cannot be listened on (${error.message}). Check GLANCE_HTTP_HOST and GLANCE_HTTP_PORT (or --host and --port)`;
      reject(new GlanceError(ErrorCode.ConfigInvalid, `The HTTP address ${host}:${port} (GLANCE_HTTP_HOST:GLANCE_HTTP_PORT) ${problem}.`, { variables: ['GLANCE_HTTP_HOST', 'GLANCE_HTTP_PORT'], errno: error.code }, { cause: error }));
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
