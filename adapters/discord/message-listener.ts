/**
 * Every message glance can see: its images are remembered for later questions (unless the author opted out); a
 * message addressed to glance is answered; otherwise, in an opted-in channel, its images get alt text. Bots'
 * messages (glance's own included) are ignored, and so is work in channels where glance may not reply (no Send
 * Messages or Read Message History: post-permission.ts; its images are still remembered, for commands).
 */
import type { Message } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { autoAltText } from './auto-alt-text-listener.ts';
import { rememberMessageImages } from './message-images.ts';
import { missingReplyPermissions, warnMissingPermissions } from './post-permission.ts';
import { answerMessageQuestion, isAddressedToBot } from './question-listener.ts';

export async function handleMessage(context: DiscordAdapterContext, message: Message, botId: string): Promise<void> {
  if (message.author.bot || message.system) return;
  const missing = missingReplyPermissions(message);
  if (missing.length > 0) {
    rememberMessageImages(context, message);
    warnMissingPermissions(context, message.channelId, missing);
    return;
  }
  if (isAddressedToBot(message, botId)) {
    await answerMessageQuestion(context, message, botId);
    return;
  }
  rememberMessageImages(context, message);
  await autoAltText(context, message);
}
