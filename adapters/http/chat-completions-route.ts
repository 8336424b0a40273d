/**
 * The OpenAI-compatible `POST /v1/chat/completions` (and `GET /v1/models`, the one model served): a `chat.completion` answer, or with `stream: true`
 * `chat.completion.chunk` events (`data: {...}` … `data: [DONE]`). Each image comes from a data: URL, or a remote URL
 * fetched through the SSRF guard when the configuration allows it, within the remote download bounds
 * (remote-fetch-limiter.ts: a few at once, and per client as many as GLANCE_USER_MAX_RUNNING). Several images in
 * one message are answered one after another (the per-user limits count each), each answer labelled
 * `Image N: …` on its own line.
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

/** 'length' if any answer was cut at its token limit. */
function finishReason(results: readonly ServiceResult[]): 'stop' | 'length' {
  return results.every((result) => result.finishReason === 'eos') ? 'stop' : 'length';
}

/** How the answer about image `index` of `count` starts in the content ('' for a single image). */
function imageLabel(index: number, count: number): string {
  if (count === 1) return '';
  return `${index > 0 ? '\n' : ''}Image ${index + 1}: `;
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
    const input = chatInputFrom(request.body, context.config.limits.maxQuestionChars, context.config.limits.maxImagesPerMessage);
    const signal = abortWhenClientLeaves(reply.raw);
    const userId = httpUserId(request);
    const base = { question: input.question, generation: input.generation, userId, channelId: 'http', signal };
    // Images in order; remote ones one at a time (each refused when remote images are off).
    const load = async () => {
      const images: Uint8Array[] = [];
      for (const url of input.imageUrls) images.push(isDataUrl(url) ? decodeDataUrl(url) : await fetchRemoteImage(url, policy, signal));
      return images;
    };
    if (input.imageUrls.every(isDataUrl) || !policy.allowRemote) return answer(request, reply, input, await load(), base);
    const slot = remoteFetches.acquire(userId);
    try {
      const images = await load().finally(() => slot.fetched());
      return await answer(request, reply, input, images, base);
    } finally {
      slot.release();
    }
  });

  async function answer(request: FastifyRequest, reply: FastifyReply, input: ChatInput, images: readonly Uint8Array[], base: Omit<ServiceRequest, 'image'>): Promise<unknown> {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const run = (serviceRequest: ServiceRequest) => context.service.run(serviceRequest).catch((error: unknown) => Promise.reject(inChatTerms(error, input.fieldNames)));
    if (!input.stream) {
      const results: ServiceResult[] = [];
      for (const image of images) results.push(await run({ ...base, image }));
      context.metrics.requests.inc({ route: ROUTE, code: 'ok' });
      const content = results.map((result, i) => imageLabel(i, results.length) + result.text).join('');
      return {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason(results) }],
        usage: chatUsage(results),
        glance: results.length === 1 ? resultBody(results[0]) : { images: results.map(resultBody) },
      };
    }
    reply.hijack();
    const stream = new EventStream(reply.raw);
    // With stream_options.include_usage every chunk has `usage: null` and a last chunk with no choices carries it.
    const usageField = input.includeUsage ? { usage: null } : {};
    const chunk = (choice: Record<string, unknown>) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, ...choice }], ...usageField });
    const send = (piece: string) => {
      if (!stream.started) stream.data(chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
      if (piece !== '') stream.data(chunk({ delta: { content: piece }, finish_reason: null }));
    };
    try {
      const results: ServiceResult[] = [];
      for (const [i, image] of images.entries()) {
        const deltas = new ChatDeltas();
        // The image's label goes out with the first piece of its answer (alone, for an empty answer).
        let label = imageLabel(i, images.length);
        const emit = (piece: string) => {
          if (piece === '') return;
          send(label + piece);
          label = '';
        };
        const result = await run({ ...base, image, onToken: (text) => emit(deltas.next(text.trim())) });
        emit(deltas.finish(result.text));
        send(label);
        if (deltas.sent !== result.text) context.log?.warn({ route: ROUTE, sent: deltas.sent, text: result.text }, 'the streamed content differs from the final text');
        results.push(result);
      }
      stream.data(chunk({ delta: {}, finish_reason: finishReason(results) }));
      if (input.includeUsage) stream.data({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatUsage(results) });
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
