/**
 * A stand-in for the glance server in the playground tests: the real playground page (registerPlaygroundRoutes, with
 * the test config's limits and a named model) on fastify, and POST /v1/caption and /v1/ask answered by the test
 * itself, event by event, on the raw response: streams no model can be made to send on cue (control characters, stages
 * held open while a fake clock runs). No model is loaded.
 */
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { registerPlaygroundRoutes } from '../../../adapters/http/playground-routes.ts';
import type { PlaygroundModel } from '../../../adapters/http/playground-model.ts';
import { testConfig } from './http-test-server.ts';

/** One request the page sent: its path and body text, and its response to write the answer on. */
export interface HeldRequest {
  path: string;
  body: string;
  /** Writes `event: name` with `data` as JSON (the status and headers go out with the first). */
  event(name: string, data: unknown): void;
  end(): void;
}

export interface StandIn {
  url: string;
  /** The next POST the page sends (waits for it). */
  nextRequest(): Promise<HeldRequest>;
}

const MODEL: PlaygroundModel = { id: 'stand-in/blip2-opt', manifest: { dtype: 'fp32', model: { architecture: 'blip2-opt' } as PlaygroundModel['manifest']['model'] }, randomWeights: false };

function held(path: string, body: string, response: ServerResponse): HeldRequest {
  return {
    path,
    body,
    event(name, data) {
      if (!response.headersSent) response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      response.end();
    },
  };
}

/** beforeAll/afterAll hooks: the stand-in; the getter gives it inside tests. */
export function useStandIn(): () => StandIn {
  let app: FastifyInstance | undefined;
  let standIn: StandIn | undefined;
  beforeAll(async () => {
    const config = testConfig();
    app = Fastify({ forceCloseConnections: true });
    app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    registerPlaygroundRoutes(app, { maxQuestionChars: config.limits.maxQuestionChars, maxNewTokens: config.limits.maxNewTokens, maxImageBytes: config.http.bodyLimitBytes }, MODEL);
    const arrived: HeldRequest[] = [];
    const waiting: Array<(request: HeldRequest) => void> = [];
    for (const path of ['/v1/caption', '/v1/ask']) {
      app.post(path, (request, reply) => {
        reply.hijack();
        const request_ = held(path, String(request.body), reply.raw);
        const waiter = waiting.shift();
        if (waiter) waiter(request_);
        else arrived.push(request_);
      });
    }
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    standIn = {
      url,
      nextRequest: () => {
        const first = arrived.shift();
        return first ? Promise.resolve(first) : new Promise((resolve) => waiting.push(resolve));
      },
    };
  });
  afterAll(async () => {
    await app?.close();
  });
  return () => {
    if (!standIn) throw new Error('the stand-in starts in beforeAll');
    return standIn;
  };
}
