/**
 * A thread glance has not seen (it started before glance joined or restarted): its messages are read once with
 * conversations.replies (channels:history / groups:history / im:history / mpim:history) and their images remembered,
 * so a question in the thread finds the image the thread started with.
 */
import { parseMessage } from './event-fields.ts';
import { rememberMessageImages } from './message-images.ts';
import type { SlackAdapterContext } from './slack-context.ts';
import { completeFiles } from './slack-files.ts';
import { slackErrorName } from './thread-reply.ts';

export const THREAD_HISTORY_LIMIT = 50;

export async function rememberThread(context: SlackAdapterContext, team: string, channel: string, threadTs: string): Promise<void> {
  let messages: unknown[];
  try {
    const answer = await context.client.conversations.replies({ channel, ts: threadTs, limit: THREAD_HISTORY_LIMIT });
    messages = Array.isArray(answer.messages) ? answer.messages : [];
  } catch (error) {
    context.log?.warn({ component: 'slack', channel, slackError: slackErrorName(error), err: error }, 'conversations.replies failed; answering from what glance remembers');
    return;
  }
  for (const raw of messages) {
    const message = parseMessage(raw, channel);
    if (!message || message.files.length === 0) continue;
    rememberMessageImages(context, team, { ...message, files: await completeFiles(context, message.files) });
  }
}
