/**
 * Keeps web pages the user visits from using the local server behind their back.
 *
 * - Another site's page can post a form (multipart needs no CORS preflight) to http://127.0.0.1:3000/v1/ask: the
 *   browser sends it with that site's `Origin` (and `Sec-Fetch-Site: cross-site`). Any request other than GET/HEAD
 *   whose Origin is not this server's own origin is refused. Clients that are not browsers send no Origin and are
 *   not affected; the playground page is same-origin.
 * - DNS rebinding: a page on attacker.example whose name is re-pointed at 127.0.0.1 becomes "same-origin" with the
 *   local server, but its requests still carry `Host: attacker.example`. While the server listens on a loopback
 *   address, only loopback host names are answered (localhost, 127.0.0.0/8, [::1]); on any other address, or
 *   behind a trusted reverse proxy (GLANCE_HTTP_TRUST_PROXY, which forwards the public name), the operator decides
 *   which names reach it, and every Host is answered.
 * Behind a trusted proxy the server's own origin is the one the proxy names (X-Forwarded-Proto, X-Forwarded-Host,
 * else the Host it forwards), so the playground served through the proxy keeps working.
 */
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { toHttpError } from './http-errors.ts';
import { sendError } from './route-context.ts';

/** Whether a host name or address (no port, no brackets) is this machine's loopback. */
function isLoopbackName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}

/** The host name of a Host header value (`[::1]:3000` → `::1`, `localhost:3000` → `localhost`). */
function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

/** The origin (scheme://host[:port]) an Origin header names, or undefined when it is "null" or not a URL. */
function originOf(value: string): { protocol: string; host: string } | undefined {
  try {
    const url = new URL(value);
    return { protocol: url.protocol, host: url.host };
  } catch {
    return undefined;
  }
}

/** REQUEST_REFUSED, answered as the error table says (http-errors.ts). */
function refuse(reply: FastifyReply, message: string): FastifyReply {
  return sendError(reply, toHttpError(new GlanceError(ErrorCode.RequestRefused, message)));
}

export function registerBrowserGuard(app: FastifyInstance, listenHost: string, behindProxy: boolean): void {
  const loopbackOnly = isLoopbackName(listenHost) && !behindProxy;
  app.addHook('onRequest', async (request, reply) => {
    // fastify's request.host: the Host header, or a trusted proxy's X-Forwarded-Host.
    const host = request.host;
    if (loopbackOnly && !isLoopbackName(hostName(host))) {
      return refuse(reply, `this server listens on ${listenHost} and answers only to a loopback host name (localhost, 127.0.0.1, [::1]), not "${host}"; open it as http://localhost:<port>/`);
    }
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const originHeader = request.headers.origin;
    if (originHeader === undefined) return;
    const origin = originOf(originHeader);
    const sameOrigin = origin !== undefined && origin.protocol === `${request.protocol}:` && origin.host === host.toLowerCase();
    if (!sameOrigin) {
      return refuse(reply, `requests from another web site (Origin ${originHeader}) are refused: only glance's own page and clients that are not browsers may use this API`);
    }
  });
}
