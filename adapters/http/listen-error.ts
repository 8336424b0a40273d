/**
 * Why the HTTP adapter could not listen, as a CONFIG_INVALID error naming the settings that choose the address
 * (GLANCE_HTTP_HOST / GLANCE_HTTP_PORT, or `glance start --host/--port`) and what to do, instead of a raw stack.
 * Errors other than the address's own problems are returned as they are.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

const HOW: Record<string, (where: string, host: string, port: number) => string> = {
  EADDRINUSE: (where, _host, port) =>
    `Cannot listen on ${where}: port ${port} is already in use by another process. Stop that process, or pick another port with GLANCE_HTTP_PORT (glance start --port).`,
  EACCES: (where, _host, port) =>
    `Not allowed to listen on ${where}${port < 1024 ? ' (ports below 1024 need extra privileges)' : ''}. Pick another port with GLANCE_HTTP_PORT (glance start --port), e.g. 3000, or give the process the permission.`,
  EADDRNOTAVAIL: (where, host) =>
    `Cannot listen on ${where}: ${host} is not an address of this machine. Set GLANCE_HTTP_HOST (glance start --host) to one it has, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).`,
  ENOTFOUND: (where, host) =>
    `Cannot listen on ${where}: the host name ${host} does not resolve. Set GLANCE_HTTP_HOST (glance start --host) to an address, e.g. 127.0.0.1 or 0.0.0.0.`,
};

export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const how = typeof code === 'string' ? HOW[code] : undefined;
  if (!how) return error;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new GlanceError(ErrorCode.ConfigInvalid, how(where, host, port), { variables: ['GLANCE_HTTP_HOST', 'GLANCE_HTTP_PORT'], host, port, reason: code }, { cause: error });
}
