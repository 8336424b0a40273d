/**
 * The OpenAI-compatible `POST /v1/chat/completions` (and `GET /v1/models`, the one model served): a `chat.completion` answer, or with `stream: true`
 * `chat.completion.chunk` events (`data: {...}` … `data: [DONE]`). The image comes from a data: URL, or a remote URL
 * fetched through the SSRF guard when the configuration allows it, within the remote download bounds
 * (remote-fetch-limiter.ts: a few at once, and per client as many as GLANCE_USER_MAX_RUNNING).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceRequest, ServiceResult } from '../../src/service/glance-service.ts';
import { AddressAllowList } from './address-policy.ts';
import { inChatTerms } from './chat-options.ts';
import { chatInputFrom, type ChatInput } from './chat-request.ts';
import { ChatDeltas } from './streamed-text.ts';
import { chatUsage } from './chat-usage.ts';
import { abortWhenClientLeaves } from './client-abort.ts';
import { EventStream } from './event-stream.ts';
import { errorBody, toHttpError } from './http-errors.ts';
import { decodeDataUrl, isDataUrl } from './image-encoding.ts';
import { RemoteFetchLimiter } from './remote-fetch-limiter.ts';
import { fetchRemoteImage, type RemoteImagePolicy } from './remote-image.ts';
import { resultBody } from './result-body.ts';
import { httpUserId, logFailure, sendRawError, type RouteContext } from './route-context.ts';

const ROUTE = '/v1/chat/completions';
const REMOTE_IMAGE_TIMEOUT_MS = 15_000;

function finishReason(result: ServiceResult): 'stop' | 'length' {
  return result.finishReason === 'eos' ? 'stop' : 'length';
}

export function registerChatCompletionsRoute(app: FastifyInstance, context: RouteContext): void {
  const policy: RemoteImagePolicy = {
    allowRemote: context.config.http.allowRemoteImages,
    allowList: new AddressAllowList(context.config.http.remoteImageAllowList),
    maxBytes: context.config.http.bodyLimitBytes,
    timeoutMs: REMOTE_IMAGE_TIMEOUT_MS,
  };
  const model = context.config.model ?? 'glance';
  const remoteFetches = new RemoteFetchLimiter({ maxPerClient: context.config.queue.maxRunningPerUser });

  // OpenAI clients list the models first; there is one.
  app.get('/v1/models', async () => ({ object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'glance' }] }));

  app.post(ROUTE, async (request: FastifyRequest, reply: FastifyReply) => {
    const input = chatInputFrom(request.body, context.config.limits.maxQuestionChars);
    const signal = abortWhenClientLeaves(reply.raw);
    const userId = httpUserId(request);
    if (isDataUrl(input.imageUrl) || !policy.allowRemote) {
      const image = isDataUrl(input.imageUrl) ? decodeDataUrl(input.imageUrl) : await fetchRemoteImage(input.imageUrl, policy, signal);
      return answer(request, reply, input, { image, question: input.question, generation: input.generation, userId, channelId: 'http', signal });
    }
    const slot = remoteFetches.acquire(userId);
    try {
      const image = await fetchRemoteImage(input.imageUrl, policy, signal).finally(() => slot.fetched());
      return await answer(request, reply, input, { image, question: input.question, generation: input.generation, userId, channelId: 'http', signal });
    } finally {
      slot.release();
    }
  });

  async function answer(request: FastifyRequest, reply: FastifyReply, input: ChatInput, base: ServiceRequest): Promise<unknown> {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const run = (serviceRequest: ServiceRequest) => context.service.run(serviceRequest).catch((error: unknown) => Promise.reject(inChatTerms(error, input.fieldNames)));
    if (!input.stream) {
      const result = await run(base);
      context.metrics.requests.inc({ route: ROUTE, code: 'ok' });
      return {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: finishReason(result) }],
        usage: chatUsage(result),
        glance: resultBody(result),
      };
    }
    reply.hijack();
    const stream = new EventStream(reply.raw);
    // With stream_options.include_usage every chunk has `usage: null` and a last chunk with no choices carries it.
    const usageField = input.includeUsage ? { usage: null } : {};
    const chunk = (choice: Record<string, unknown>) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, ...choice }], ...usageField });
    const deltas = new ChatDeltas();
    const send = (piece: string) => {
      if (!stream.started) stream.data(chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
      if (piece !== '') stream.data(chunk({ delta: { content: piece }, finish_reason: null }));
    };
    try {
      const result = await run({ ...base, onToken: (text) => send(deltas.next(text.trim())) });
      send(deltas.finish(result.text));
      if (deltas.sent !== result.text) context.log?.warn({ route: ROUTE, sent: deltas.sent, text: result.text }, 'the streamed content differs from the final text');
      stream.data(chunk({ delta: {}, finish_reason: finishReason(result) }));
      if (input.includeUsage) stream.data({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatUsage(result) });
      stream.data('[DONE]');
      context.metrics.requests.inc({ route: ROUTE, code: 'ok' });
    } catch (error) {
      const httpError = toHttpError(error);
      context.metrics.requests.inc({ route: ROUTE, code: httpError.code });
      logFailure(context.log, reply.raw, error, httpError, { route: ROUTE, url: request.url, stream: true });
      if (stream.started) stream.data(errorBody(httpError));
      else sendRawError(reply.raw, httpError);
    } finally {
      stream.end();
    }
    return reply;
  }
}
