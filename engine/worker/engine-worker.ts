/**
 * The engine worker thread: owns the onnxruntime sessions (whose run() blocks the thread it is called on) and
 * answers the Engine's requests one at a time, streaming tokens back as they are produced. Cancel messages are
 * handled between decode steps.
 */
import { parentPort } from 'node:worker_threads';
import { GlanceError, ErrorCode } from '../errors.ts';
import { Blip2Runtime } from '../runtime/blip2-runtime.ts';
import type { SerializedError, WorkerRequest, WorkerResponse } from './protocol.ts';

if (!parentPort) throw new Error('engine-worker must run in a worker thread');
const port = parentPort;
let runtime: Blip2Runtime | undefined;
const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function send(message: WorkerResponse): void {
  port.postMessage(message);
}

function serializeError(error: unknown): SerializedError {
  const e = error instanceof GlanceError ? error : new GlanceError(ErrorCode.RuntimeFailure, (error as Error)?.message ?? String(error));
  return e.toJSON();
}

function ready(): Blip2Runtime {
  if (!runtime) throw new GlanceError(ErrorCode.RuntimeFailure, 'the engine has no model loaded');
  return runtime;
}

async function handle(request: WorkerRequest, signal: AbortSignal): Promise<unknown> {
  switch (request.kind) {
    case 'open':
      runtime = await Blip2Runtime.open(request.bundleDir, { ...request.options, log: (message) => send({ id: -1, kind: 'log', message }) });
      return { manifest: runtime.manifest, provider: runtime.provider };
    case 'encodeImages':
      return ready().encodeImages(request.images, signal);
    case 'generate':
      return ready().generate(request.items, request.options, {
        signal,
        onToken: request.stream ? (row, token, text) => send({ id: request.id, kind: 'token', row, token, text }) : undefined,
      });
    case 'close':
      await runtime?.close();
      runtime = undefined;
      return null;
    case 'cancel':
      return null;
  }
}

port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'cancel') {
    controllers.get(request.target)?.abort();
    return;
  }
  const controller = new AbortController();
  controllers.set(request.id, controller);
  queue = queue.then(async () => {
    try {
      if (controller.signal.aborted) throw new GlanceError(ErrorCode.Aborted, 'the request was cancelled');
      const value = await handle(request, controller.signal);
      send({ id: request.id, kind: 'result', value });
    } catch (error) {
      send({ id: request.id, kind: 'error', error: serializeError(error) });
    } finally {
      controllers.delete(request.id);
    }
  });
});
