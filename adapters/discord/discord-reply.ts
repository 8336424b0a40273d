/**
 * Replying in a channel to a message-triggered request: a typing indicator while glance works, the answer
 * streamed into one reply (sent once, then edited at most once a second), no pings (generated text could contain
 * mentions). A channel where glance may not post makes the reply fail: that is logged, never thrown.
 */
import type { Message } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { ThrottledEditor } from '../shared/throttled-editor.ts';
import { keepTyping } from './typing-keeper.ts';

export const NO_PINGS = { parse: [], repliedUser: false } as const;

export interface StreamedReply {
  /** The answer so far (shown after a second if the work is still running). */
  update(text: string): void;
  /** The final text (sends the reply, or edits it). */
  finish(text: string): Promise<void>;
  /** The reply message, once sent. */
  readonly sent: Message | undefined;
}

/** Starts the typing indicator and returns the streamed reply to `message`; `finish` stops the indicator. */
export function startReply(context: DiscordAdapterContext, message: Message): StreamedReply {
  const channel = message.channel;
  const stopTyping = 'sendTyping' in channel ? keepTyping(() => channel.sendTyping()) : () => {};
  let reply: Message | undefined;
  const editor = new ThrottledEditor({
    send: async (text) => {
      if (reply) await reply.edit({ content: text, allowedMentions: NO_PINGS });
      else reply = await message.reply({ content: text, allowedMentions: NO_PINGS });
    },
    onError: (error) => context.log?.warn({ err: error, channel: message.channelId }, 'a streamed Discord edit failed'),
  });
  return {
    update: (text) => editor.update(text),
    async finish(text) {
      stopTyping();
      try {
        await editor.finish(text);
      } catch (error) {
        context.log?.warn({ err: error, channel: message.channelId, message: message.id }, 'glance could not reply in this Discord channel');
      }
    },
    get sent() {
      return reply;
    },
  };
}
