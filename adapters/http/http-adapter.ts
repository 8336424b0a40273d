/**
 * The HTTP adapter: the local playground page, the REST API (`/v1/caption`, `/v1/ask`), the OpenAI-compatible
 * `/v1/chat/completions`, `/healthz` and `/metrics`, on fastify. The only place fastify and @fastify/multipart are used.
 */
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import type { ServiceConfig } from '../../src/config/service-config.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { ServiceMetrics } from '../../src/metrics/service-metrics.ts';
import type { GlanceService } from '../../src/service/glance-service.ts';
import { ErrorCode } from '../../engine/errors.ts';
import { registerBrowserGuard } from './browser-guard.ts';
import { registerChatCompletionsRoute } from './chat-completions-route.ts';
import { registerGenerationRoutes } from './generation-routes.ts';
import { MAX_FIELD_BYTES } from './generation-request.ts';
import { toHttpError } from './http-errors.ts';
import { listenError } from './listen-error.ts';
import { registerOperationsRoutes } from './operations-routes.ts';
import { registerPlaygroundRoutes } from './playground-routes.ts';
import { logFailure, routeLabel, sendError, type RouteContext } from './route-context.ts';
import { fastifyTrustProxy } from './trust-proxy.ts';

export interface HttpAdapterOptions {
  service: GlanceService;
  config: ServiceConfig;
  metrics: ServiceMetrics;
  log?: Logger;
  /** The served model has random weights (`glance start --demo`): the playground says its text is meaningless. */
  randomWeights?: boolean;
}

export interface HttpAdapter {
  /** Where it listens, e.g. http://127.0.0.1:3000 (the real port when the configured port is 0). */
  url: string;
  /** Stops accepting connections and waits for the open requests to end. */
  close(): Promise<void>;
}

export async function startHttpAdapter(options: HttpAdapterOptions): Promise<HttpAdapter> {
  const { config } = options;
  const context: RouteContext = { service: options.service, config, metrics: options.metrics, log: options.log };
  // trustProxy (GLANCE_HTTP_TRUST_PROXY): behind a reverse proxy, request.ip is the client named in X-Forwarded-For, so
  // per-user limits key on real clients; false (the default) ignores that header and uses the connecting address.
  // return503OnClosing off: a request that still arrives while the server drains (on a kept-alive or pipelined
  // connection) gets the API's coded error below, not fastify's own 503 body.
  const app = Fastify({ bodyLimit: config.http.bodyLimitBytes, logger: false, forceCloseConnections: 'idle', return503OnClosing: false, trustProxy: fastifyTrustProxy(config.http.trustProxy) });
  let closing = false;
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    options.metrics.requests.inc({ route: routeLabel(request), code: ErrorCode.Aborted });
    reply.header('connection', 'close');
    return sendError(reply, { status: 503, code: ErrorCode.Aborted, message: 'glance is shutting down and takes no new requests; send it again in a moment', retryAfterSeconds: 5 });
  });

  await app.register(multipart, {
    limits: { fileSize: config.http.bodyLimitBytes, files: 1, fields: 10, fieldSize: MAX_FIELD_BYTES, parts: 11 },
  });

  app.setErrorHandler((error, request, reply) => {
    const route = routeLabel(request);
    const httpError = toHttpError(error, { bodyLimitBytes: config.http.bodyLimitBytes, takesMultipart: route === '/v1/caption' || route === '/v1/ask' });
    options.metrics.requests.inc({ route, code: httpError.code });
    logFailure(options.log, reply.raw, error, httpError, { url: request.url });
    return sendError(reply, httpError);
  });
  app.setNotFoundHandler((request, reply) => {
    // A route that exists for other methods (GET /v1/caption) is 405 with the methods it takes, not "no route".
    const path = request.url.split('?')[0];
    const allowed = ['GET', 'POST'].filter((method) => app.hasRoute({ method, url: path }));
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, { status: 405, code: ErrorCode.InvalidInput, message: `${path} takes ${allowed.join(' or ')}, not ${request.method}` });
    }
    return sendError(reply, { status: 404, code: ErrorCode.InvalidInput, message: `no route ${request.method} ${path}` });
  });

  registerBrowserGuard(app, config.http.host, config.http.trustProxy !== false && config.http.trustProxy !== 0);
  registerPlaygroundRoutes(
    app,
    { maxQuestionChars: config.limits.maxQuestionChars, maxNewTokens: config.limits.maxNewTokens, maxImageBytes: config.http.bodyLimitBytes },
    { id: config.model ?? options.service.modelId, manifest: options.service.manifest, randomWeights: options.randomWeights ?? false },
  );
  registerOperationsRoutes(app, context);
  registerGenerationRoutes(app, context);
  registerChatCompletionsRoute(app, context);

  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    await app.close();
    throw listenError(error, config.http.host, config.http.port);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  options.log?.info({ url: `http://${host}:${port}` }, 'HTTP adapter listening');
  return {
    url: `http://${host}:${port}`,
    close: () => {
      closing = true;
      return app.close();
    },
  };
}
