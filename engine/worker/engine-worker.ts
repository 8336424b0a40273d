/**
 * The engine worker thread: owns the onnxruntime sessions (whose run() blocks the thread it is called on) and
 * answers the Engine's requests one at a time, streaming tokens back as they are produced. Cancel messages are
 * handled between decode steps.
 */
import { parentPort } from 'node:worker_threads';
import { GlanceError, ErrorCode } from '../errors.ts';
import { loadBundle } from '../bundle/load-bundle.ts';
import { Blip2Runtime } from '../runtime/blip2-runtime.ts';
import { RetrievalRuntime } from '../runtime/retrieval-runtime.ts';
import type { SerializedError, WorkerRequest, WorkerResponse } from './protocol.ts';

if (!parentPort) throw new Error('engine-worker must run in a worker thread');
const port = parentPort;
let runtime: Blip2Runtime | RetrievalRuntime | undefined;
const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function send(message: WorkerResponse): void {
  port.postMessage(message);
}

function serializeError(error: unknown): SerializedError {
  const e = error instanceof GlanceError ? error : new GlanceError(ErrorCode.RuntimeFailure, (error as Error)?.message ?? String(error));
  return e.toJSON();
}

function ready(): Blip2Runtime | RetrievalRuntime {
  if (!runtime) throw new GlanceError(ErrorCode.RuntimeFailure, 'the engine has no model loaded');
  return runtime;
}

/** The runtime for caption/ask requests; a retrieval bundle cannot serve them. */
function generative(): Blip2Runtime {
  const r = ready();
  if (r instanceof RetrievalRuntime) {
    throw new GlanceError(ErrorCode.ModelKindMismatch, `${r.bundle.dir} is an image-text retrieval model (Blip2ForImageTextRetrieval): it matches images with texts and embeds them (glance match / glance embed) but does not generate text. Captions and answers need a Blip2ForConditionalGeneration bundle.`);
  }
  return r;
}

/** The runtime for match/embed requests; a generative bundle cannot serve them. */
function retrieval(): RetrievalRuntime {
  const r = ready();
  if (!(r instanceof RetrievalRuntime)) {
    throw new GlanceError(ErrorCode.ModelKindMismatch, `${r.bundle.dir} holds a ${r.manifest.model.architecture} model, which generates text; image-text matching and embeddings need a Blip2ForImageTextRetrieval bundle (e.g. Salesforce/blip2-itm-vit-g).`);
  }
  return r;
}

async function handle(request: WorkerRequest, signal: AbortSignal): Promise<unknown> {
  switch (request.kind) {
    case 'open': {
      // The bundle's architecture picks the runtime: retrieval (blip2-itm) or generative (every other family).
      const { manifest } = await loadBundle(request.bundleDir);
      const options = { ...request.options, log: (message: string) => send({ id: -1, kind: 'log', message }) };
      runtime = manifest.model.architecture === 'blip2-itm' ? await RetrievalRuntime.open(request.bundleDir, options) : await Blip2Runtime.open(request.bundleDir, options);
      return { manifest: runtime.manifest, provider: runtime.provider };
    }
    case 'encodeImages':
      return generative().encodeImages(request.images, signal);
    case 'generate':
      return generative().generate(request.items, request.options, {
        signal,
        keepPrefix: request.keepPrefix,
        onToken: request.stream ? (row, token, text) => send({ id: request.id, kind: 'token', row, token, text }) : undefined,
      });
    case 'match':
      return (await retrieval().match(request.image, request.texts, signal)).results;
    case 'embedImages':
      // The vision hidden state stays in the worker: callers get the ITC embeddings.
      return (await retrieval().encodeImages(request.images, signal)).map(({ imageEmbeds, timingsMs }) => ({ imageEmbeds, timingsMs }));
    case 'embedTexts':
      return retrieval().embedTexts(request.texts, signal);
    case 'close':
      await runtime?.close();
      runtime = undefined;
      return null;
    case 'cancel':
    case 'exitForTest':
      return null;
  }
}

port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'cancel') {
    controllers.get(request.target)?.abort();
    return;
  }
  // Handled between onnxruntime runs (never inside one, which would abort the whole process): a clean crash.
  if (request.kind === 'exitForTest') process.exit(70);
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
