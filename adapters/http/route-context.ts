/** What every route needs: the service, the configuration, the metrics; and the shared way to answer an error. */
import type { ServerResponse } from 'node:http';
import { ErrorCode } from '../../engine/errors.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceConfig } from '../../src/config/service-config.ts';
import type { ServiceMetrics } from '../../src/metrics/service-metrics.ts';
import type { GlanceService } from '../../src/service/glance-service.ts';
import type { Logger } from '../../src/log/logger.ts';
import { errorBody, type HttpError } from './http-errors.ts';

export interface RouteContext {
  service: GlanceService;
  config: ServiceConfig;
  metrics: ServiceMetrics;
  log?: Logger;
}

/**
 * The fairness/rate-limit identity of an HTTP caller: its address — the connecting address, or with
 * GLANCE_HTTP_TRUST_PROXY the client address the trusted proxies put in X-Forwarded-For (fastify's request.ip).
 */
export function httpUserId(request: FastifyRequest): string {
  return `http:${request.ip}`;
}

/** The route's path pattern, for the requests counter. */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

export function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.status(error.status).type('application/json; charset=utf-8').send(errorBody(error));
}

/** The same error answer on a hijacked (raw) response whose headers have not been sent yet. */
export function sendRawError(response: ServerResponse, error: HttpError): void {
  if (response.destroyed || response.headersSent) return;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  response.writeHead(error.status, headers).end(JSON.stringify(errorBody(error)));
}

/**
 * Logs a failed request by where the fault lies: 500 as an error with the details (glance's own failure), 503/504 as
 * a warning (load, restarts, deadlines), the caller's 4xx at debug — and a request cancelled because its client went
 * away (a closed tab, a cancelled curl) at debug too: that is the client's choice, not a problem of the server.
 */
export function logFailure(log: Logger | undefined, response: ServerResponse, error: unknown, httpError: HttpError, where: Record<string, unknown>): void {
  if (!log) return;
  if (httpError.code === ErrorCode.Aborted && response.destroyed) log.debug({ ...where, code: httpError.code }, 'the client went away; its request was cancelled');
  else if (httpError.status === 500) log.error({ ...where, err: error }, 'request failed');
  else if (httpError.status > 500) log.warn({ ...where, code: httpError.code, err: error }, httpError.message);
  else log.debug({ ...where, code: httpError.code }, httpError.message);
}
