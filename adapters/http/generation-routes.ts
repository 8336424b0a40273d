/**
 * `POST /v1/caption` and `POST /v1/ask`: JSON answers, or server-sent events (`token` with the text so far, then
 * `done` with the result, or `error`) when the client asks for them: the `stream` field or `?stream=` when given, else
 * an Accept header naming `text/event-stream`. With the `progress` field the stream also has a `stage` event
 * (`{"stage": "queued" | "reading-image" | "writing"}`) each time the request enters another stage; the first is sent
 * once the request is admitted, so a later failure (a bad image) is an `error` event, not a JSON error with its status.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import type { ServiceRequest, ServiceStage } from '../../src/service/glance-service.ts';
import { abortWhenClientLeaves } from './client-abort.ts';
import { withoutPartialCharacter } from './streamed-text.ts';
import { EventStream, acceptsEventStream } from './event-stream.ts';
import { readGenerationInput, type GenerationRoute } from './generation-request.ts';
import { errorBody, toHttpError } from './http-errors.ts';
import { resultBody } from './result-body.ts';
import { httpUserId, logFailure, sendRawError, type RouteContext } from './route-context.ts';

async function handle(context: RouteContext, route: GenerationRoute, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const input = await readGenerationInput(request, route, context.config.limits.maxQuestionChars);
  const base: ServiceRequest = {
    image: input.image,
    question: input.question,
    rawPrompt: input.rawPrompt,
    generation: input.generation,
    userId: httpUserId(request),
    channelId: 'http',
    signal: abortWhenClientLeaves(reply.raw),
  };
  const label = `/v1/${route}`;
  const streamed = input.stream ?? acceptsEventStream(request.headers.accept);
  if (input.progress && !streamed) {
    throw new GlanceError(ErrorCode.InvalidInput, 'progress events come in a streamed answer: add "stream": true (or ?stream=1, or Accept: text/event-stream), or leave progress out');
  }
  if (!streamed) {
    const result = await context.service.run(base);
    context.metrics.requests.inc({ route: label, code: 'ok' });
    return resultBody(result);
  }
  reply.hijack();
  const stream = new EventStream(reply.raw);
  try {
    const result = await context.service.run({
      ...base,
      onToken: (text) => stream.event('token', { text: withoutPartialCharacter(text.trim()) }),
      ...(input.progress ? { onStage: (stage: ServiceStage) => stream.event('stage', { stage }) } : {}),
    });
    stream.event('done', resultBody(result));
    context.metrics.requests.inc({ route: label, code: 'ok' });
  } catch (error) {
    const httpError = toHttpError(error);
    context.metrics.requests.inc({ route: label, code: httpError.code });
    logFailure(context.log, reply.raw, error, httpError, { route: label, stream: true });
    if (stream.started) stream.event('error', errorBody(httpError));
    else sendRawError(reply.raw, httpError);
  } finally {
    stream.end();
  }
  return reply;
}

export function registerGenerationRoutes(app: FastifyInstance, context: RouteContext): void {
  app.post('/v1/caption', (request, reply) => handle(context, 'caption', request, reply));
  app.post('/v1/ask', (request, reply) => handle(context, 'ask', request, reply));
}
