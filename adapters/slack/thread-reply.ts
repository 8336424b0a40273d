/**
 * Replying in a thread: the answer streamed into one message (chat.postMessage with thread_ts once, then
 * chat.update at most once a second while the text grows, via the throttled editor). A channel glance cannot post
 * in (not_in_channel, channel_not_found, archived, …) makes the reply fail: that is logged, never thrown.
 */
import { ThrottledEditor } from '../shared/throttled-editor.ts';
import type { SlackAdapterContext } from './slack-context.ts';

export interface ThreadReply {
  /** The answer so far (sent after a second if the work is still running, then edited). */
  update(text: string): void;
  /** The final text (posts the reply, or updates it); resolves when sent or when sending failed (logged). */
  finish(text: string): Promise<void>;
  /** The reply's ts, once posted. */
  readonly ts: string | undefined;
}

/** Slack's error name of a failed Web API call (`not_in_channel`, …), if it is one. */
export function slackErrorName(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export function startThreadReply(context: SlackAdapterContext, channel: string, threadTs: string): ThreadReply {
  let ts: string | undefined;
  const editor = new ThrottledEditor({
    send: async (text) => {
      if (ts) await context.client.chat.update({ channel, ts, text });
      else ts = (await context.client.chat.postMessage({ channel, thread_ts: threadTs, text, unfurl_links: false, unfurl_media: false })).ts;
    },
    onError: (error) => context.log?.warn({ component: 'slack', err: error, channel, slackError: slackErrorName(error) }, 'a streamed Slack update failed'),
  });
  return {
    update: (text) => editor.update(text),
    async finish(text) {
      try {
        await editor.finish(text);
      } catch (error) {
        context.log?.warn({ component: 'slack', channel, slackError: slackErrorName(error), err: error }, 'glance could not reply in this Slack channel');
      }
    },
    get ts() {
      return ts;
    },
  };
}
