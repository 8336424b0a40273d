/**
 * Every message glance can see: its images are remembered for later questions (unless the author opted out); a
 * message addressed to glance is answered; otherwise, in an opted-in channel, its images get alt text. Bots'
 * messages (glance's own included) are ignored, and so is work in channels where glance may not post (its images are
 * still remembered, for commands).
 */
import type { Message } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { autoAltText } from './auto-alt-text-listener.ts';
import { rememberMessageImages } from './message-images.ts';
import { maySendIn } from './post-permission.ts';
import { answerMessageQuestion, isAddressedToBot } from './question-listener.ts';

export async function handleMessage(context: DiscordAdapterContext, message: Message, botId: string): Promise<void> {
  if (message.author.bot || message.system) return;
  if (!maySendIn(message)) {
    rememberMessageImages(context, message);
    context.log?.debug({ channel: message.channelId }, 'glance may not post in this channel: message not answered');
    return;
  }
  if (isAddressedToBot(message, botId)) {
    await answerMessageQuestion(context, message, botId);
    return;
  }
  rememberMessageImages(context, message);
  await autoAltText(context, message);
}
