/**
 * A real GlanceService on the tiny OPT bundle (one thread) behind a real HTTP adapter on a free port, started once per
 * test file; the goldens the answers must equal; and small request helpers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startHttpAdapter, type HttpAdapter } from '../../../adapters/http/http-adapter.ts';
import { loadServiceConfig, type ServiceConfig } from '../../../src/config/service-config.ts';
import { createServiceMetrics, type ServiceMetrics } from '../../../src/metrics/service-metrics.ts';
import { GlanceService } from '../../../src/service/glance-service.ts';
import { IMAGES, TEST_PROVIDER, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { convertTinyOpt, type TinyBundle } from '../../helpers/tiny-bundle.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
const astronaut = goldens.images['astronaut.png'].generate;

/** transformers' greedy caption of astronaut.png with max_new_tokens 20. */
export const GOLDEN_CAPTION: string = astronaut.caption_greedy.outputs[0].text_stripped;
/** transformers' greedy answer to "what is in the picture?" about astronaut.png, max_new_tokens 20. */
export const GOLDEN_ANSWER: string = astronaut.vqa_what_greedy.outputs[0].text_stripped;
export const QUESTION = 'what is in the picture?';
/** transformers' greedy answer to "what color is the sky?" about astronaut.png, max_new_tokens 20. */
export const GOLDEN_COLOR_ANSWER: string = astronaut.vqa_color_greedy.outputs[0].text_stripped;
export const COLOR_QUESTION = goldens.prompts.vqa_color.text.replace(/^Question: (.*) Answer:$/, '$1');
export const ASTRONAUT_PATH = join(IMAGES, 'astronaut.png');
export const ASTRONAUT = readFileSync(ASTRONAUT_PATH);

export interface TestServer {
  url: string;
  service: GlanceService;
  metrics: ServiceMetrics;
  config: ServiceConfig;
  /** Another adapter on the same service with other configuration values (closed with the server). */
  startAdapter(overrides: Record<string, string>, options?: { randomWeights?: boolean }): Promise<string>;
}

export function testConfig(overrides: Record<string, string> = {}): ServiceConfig {
  return loadServiceConfig({
    env: {},
    envFile: false,
    overrides: { GLANCE_HTTP_PORT: '0', GLANCE_HTTP_BODY_LIMIT_MB: '2', GLANCE_MAX_PIXELS: '300000', GLANCE_USER_REQUESTS_PER_MINUTE: '1000', GLANCE_MAX_QUESTION_CHARS: '100', ...overrides },
  });
}

/** beforeAll/afterAll hooks: the tiny service and its adapter; the getter gives them inside tests. */
export function useTestServer(overrides: Record<string, string> = {}): () => TestServer {
  let bundle: TinyBundle | undefined;
  let service: GlanceService | undefined;
  const adapters: HttpAdapter[] = [];
  let server: TestServer | undefined;
  beforeAll(async () => {
    bundle = await convertTinyOpt();
    const config = testConfig(overrides);
    const metrics = createServiceMetrics({ processMetrics: false });
    service = await GlanceService.start({
      bundleDir: bundle.dir, modelId: 'tiny-opt', provider: TEST_PROVIDER, threads: 1, maxPixels: config.limits.maxPixels,
      cache: config.cache, queue: config.queue, metrics,
    });
    const started = service;
    const startAdapter = async (more: Record<string, string>, options: { randomWeights?: boolean } = {}) => {
      const adapter = await startHttpAdapter({ service: started, config: testConfig({ ...overrides, ...more }), metrics, ...options });
      adapters.push(adapter);
      return adapter.url;
    };
    const url = await startAdapter({});
    server = { url, service, metrics, config, startAdapter };
  });
  afterAll(async () => {
    for (const adapter of adapters) await adapter.close();
    await service?.close();
    bundle?.cleanup();
  });
  return () => {
    if (!server) throw new Error('the test server starts in beforeAll');
    return server;
  };
}


export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

export interface ServerEvent {
  event: string;
  data: string;
}

/** Reads a whole server-sent event stream into its events (name defaults to "message"). */
export async function readEvents(response: Response): Promise<ServerEvent[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      return { event, data: data.join('\n') };
    });
}

/**
 * Waits until the service runs nothing (a cancelled generation stops at its next decode step, which may come after the
 * request has already been answered), then returns its health.
 */
export async function healthWhenIdle(url: string): Promise<any> {
  for (;;) {
    const health = (await (await fetch(`${url}/healthz`)).json()) as any;
    if (health.running === 0) return health;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
