// The streamed thread reply: posted once in the thread, then chat.update at most once a second; a refused post is
// logged, never thrown.
import { describe, expect, it } from 'vitest';
import type { SlackAdapterContext } from '../../../adapters/slack/slack-context.ts';
import { slackErrorName, startThreadReply } from '../../../adapters/slack/thread-reply.ts';

interface Call {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

function recordingContext(fail?: string): { context: SlackAdapterContext; calls: Call[]; warnings: unknown[] } {
  const calls: Call[] = [];
  const warnings: unknown[] = [];
  const refuse = () => Promise.reject(Object.assign(new Error(`An API error occurred: ${fail}`), { data: { ok: false, error: fail } }));
  const client = {
    chat: {
      postMessage: async (args: Record<string, unknown>) => {
        calls.push({ method: 'chat.postMessage', args, at: performance.now() });
        return fail ? refuse() : { ok: true, ts: '200.000100' };
      },
      update: async (args: Record<string, unknown>) => {
        calls.push({ method: 'chat.update', args, at: performance.now() });
        return { ok: true };
      },
    },
  };
  const log = { warn: (fields: unknown) => warnings.push(fields) };
  return { context: { client, log } as unknown as SlackAdapterContext, calls, warnings };
}

describe('startThreadReply', () => {
  it('posts in the thread, then updates in place no more than once a second, ending with the final text', async () => {
    const { context, calls } = recordingContext();
    const reply = startThreadReply(context, 'C1', '100.000001');
    const started = performance.now();
    let words = '';
    while (performance.now() - started < 2300) {
      words += ' word';
      reply.update(`Answer (glance):${words} …`);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await reply.finish(`Answer (glance):${words}`);
    expect(calls[0]).toMatchObject({ method: 'chat.postMessage', args: { channel: 'C1', thread_ts: '100.000001' } });
    expect(calls.slice(1).every((call) => call.method === 'chat.update' && call.args.ts === '200.000100' && call.args.channel === 'C1')).toBe(true);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < calls.length; i++) expect(calls[i].at - calls[i - 1].at).toBeGreaterThanOrEqual(990);
    expect(calls.at(-1)!.args.text).toBe(`Answer (glance):${words}`);
    expect(reply.ts).toBe('200.000100');
  });

  it('a quick answer is one chat.postMessage; a refused one (not_in_channel) is logged, not thrown', async () => {
    const quick = recordingContext();
    const reply = startThreadReply(quick.context, 'C1', '1.1');
    await reply.finish('Answer (glance): yes');
    expect(quick.calls.map((call) => call.method)).toEqual(['chat.postMessage']);

    const refused = recordingContext('not_in_channel');
    const failing = startThreadReply(refused.context, 'C9', '1.1');
    await failing.finish('Answer (glance): yes');
    expect(failing.ts).toBeUndefined();
    expect(refused.warnings).toHaveLength(1);
    expect(refused.warnings[0]).toMatchObject({ channel: 'C9', slackError: 'not_in_channel' });
    expect(slackErrorName(new Error('plain'))).toBeUndefined();
  });
});
