/** `GET /healthz` (the service's health; 503 when not ok) and `GET /metrics` (Prometheus text). */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './route-context.ts';

export function registerOperationsRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get('/healthz', async (_request, reply) => {
    const health = context.service.health();
    return reply.status(health.ok ? 200 : 503).send(health);
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await context.metrics.render();
    return reply.type(context.metrics.contentType).send(text);
  });
}
