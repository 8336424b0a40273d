/**
 * GenerationScheduler's batching rules with a recording generate function in place of the engine (the engine path
 * is covered by test/src/service/glance-service.test.ts): same-moment requests with equal options share a batch,
 * different options do not, channels take turns, a cancelled request leaves the queue or its running row, and one
 * row's input error fails only that row.
 */
import { describe, expect, it } from 'vitest';
import { GlanceError, ErrorCode } from '../../../engine/errors.ts';
import type { GenerationItem, GenerationOutput } from '../../../engine/engine.ts';
import { GenerationScheduler, type GenerationJob } from '../../../src/scheduler/generation-scheduler.ts';

interface Call {
  prompts: string[];
  signal?: AbortSignal;
}

function recorder(options: { fail?: (prompt: string) => boolean; hold?: Promise<void> } = {}) {
  const calls: Call[] = [];
  const generate = async (items: readonly GenerationItem[], _generation: unknown, call: { signal?: AbortSignal }): Promise<GenerationOutput[]> => {
    calls.push({ prompts: items.map((item) => item.prompt), signal: call.signal });
    await options.hold;
    const bad = items.find((item) => options.fail?.(item.prompt));
    if (bad) throw new GlanceError(ErrorCode.InvalidInput, `bad prompt ${bad.prompt}`);
    return items.map((item) => ({ text: `answer to ${item.prompt}`, sequence: [2], finishReason: 'eos', promptTokens: 1, timingsMs: { prefill: 1, decode: 1 }, tokensPerSecond: 1 }));
  };
  return { calls, generate };
}

function job(prompt: string, channelId: string, generation: Record<string, unknown> = {}, signal = new AbortController().signal): GenerationJob {
  return { channelId, item: { queryEmbeds: new Float32Array(1), prompt }, generation, signal, abortError: () => new GlanceError(ErrorCode.Aborted, 'cancelled') };
}

describe('GenerationScheduler', () => {
  it('batches same-moment requests with equal options, separately from other options', async () => {
    const { calls, generate } = recorder();
    const scheduler = new GenerationScheduler({ generate, maxBatch: 8 });
    const results = await Promise.all([
      scheduler.submit(job('a', 'c1', { maxNewTokens: 5 })),
      scheduler.submit(job('b', 'c2', { maxNewTokens: 9 })),
      scheduler.submit(job('c', 'c3', { maxNewTokens: 5 })),
    ]);
    expect(results.map((r) => r.output.text)).toEqual(['answer to a', 'answer to b', 'answer to c']);
    expect(calls.map((c) => c.prompts)).toEqual([['a', 'c'], ['b']]);
    expect(results.map((r) => r.batch.batchSize)).toEqual([2, 1, 2]);
  });

  it('lets channels take turns when a batch cannot hold every request', async () => {
    const { calls, generate } = recorder();
    const scheduler = new GenerationScheduler({ generate, maxBatch: 2 });
    await Promise.all(['a1', 'a2', 'a3', 'a4'].map((p) => scheduler.submit(job(p, 'busy'))).concat([scheduler.submit(job('q1', 'quiet'))]));
    expect(calls.map((c) => c.prompts)).toEqual([['a1', 'q1'], ['a2', 'a3'], ['a4']]);
  });

  it('removes a cancelled request from the queue and fails it with its own error', async () => {
    let release!: () => void;
    const { calls, generate } = recorder({ hold: new Promise((resolve) => (release = resolve)) });
    const scheduler = new GenerationScheduler({ generate, maxBatch: 1 });
    const first = scheduler.submit(job('first', 'c1'));
    await new Promise((resolve) => setImmediate(resolve));
    const controller = new AbortController();
    const waiting = scheduler.submit(job('waiting', 'c2', {}, controller.signal));
    expect(scheduler.queued).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(scheduler.queued).toBe(0);
    release();
    await first;
    expect(calls.map((c) => c.prompts)).toEqual([['first']]);
  });

  it('fails a cancelled running row at once and cancels the engine call when every row is cancelled', async () => {
    let release!: () => void;
    const { calls, generate } = recorder({ hold: new Promise((resolve) => (release = resolve)) });
    const scheduler = new GenerationScheduler({ generate, maxBatch: 4 });
    const one = new AbortController();
    const two = new AbortController();
    const runs = [scheduler.submit(job('x', 'c1', {}, one.signal)), scheduler.submit(job('y', 'c2', {}, two.signal))];
    await new Promise((resolve) => setImmediate(resolve));
    expect(scheduler.running).toBe(2);
    one.abort();
    await expect(runs[0]).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(calls[0].signal?.aborted).toBe(false);
    two.abort();
    await expect(runs[1]).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(calls[0].signal?.aborted).toBe(true);
    release();
  });

  it("reruns a failed batch row by row so one row's input error fails only that row", async () => {
    const { calls, generate } = recorder({ fail: (prompt) => prompt === 'bad' });
    const scheduler = new GenerationScheduler({ generate, maxBatch: 4 });
    const results = await Promise.allSettled(['ok1', 'bad', 'ok2'].map((p, i) => scheduler.submit(job(p, `c${i}`))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls.map((c) => c.prompts)).toEqual([['ok1', 'bad', 'ok2'], ['ok1'], ['bad'], ['ok2']]);
  });
});
