/**
 * `message` events (message.channels, message.groups, message.im, message.mpim): every image glance sees is
 * remembered for later questions (unless its author opted out); a direct message is a question (or, with only an
 * image, a caption request) answered in its thread; in channels, a message that mentions glance is left to the
 * app_mention listener, and otherwise an opted-in channel's images get automatic alt text. Bots' messages are
 * ignored (Bolt drops glance's own); a deleted message's images are forgotten.
 */
import { autoAltText } from './auto-alt-text.ts';
import { conversationKey } from './conversation-key.ts';
import { mentions, parseMessage, teamOf } from './event-fields.ts';
import { rememberMessageImages } from './message-images.ts';
import { answerQuestion } from './question-answer.ts';
import type { SlackAdapterContext } from './slack-context.ts';
import { completeFiles } from './slack-files.ts';

const HANDLED_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

function forgetDeleted(context: SlackAdapterContext, team: string, event: Record<string, unknown>): void {
  const channel = event.channel;
  const deleted = event.deleted_ts;
  if (typeof channel !== 'string' || typeof deleted !== 'string') return;
  const previous = event.previous_message as { thread_ts?: unknown } | undefined;
  const thread = typeof previous?.thread_ts === 'string' && previous.thread_ts !== deleted ? previous.thread_ts : undefined;
  context.conversations.forgetMessage(conversationKey(team, channel, thread), deleted);
}

export async function handleMessageEvent(context: SlackAdapterContext, body: unknown, event: unknown): Promise<void> {
  const team = teamOf(body, context.teamId);
  const subtype = (event as { subtype?: unknown } | null)?.subtype;
  if (subtype === 'message_deleted') {
    forgetDeleted(context, team, event as Record<string, unknown>);
    return;
  }
  if (!HANDLED_SUBTYPES.has(subtype as string | undefined)) return;
  const parsed = parseMessage(event);
  if (!parsed) {
    context.log?.warn({ component: 'slack', event: 'message' }, 'a message event without channel, user or ts was ignored');
    return;
  }
  if (parsed.botId) return;
  if (parsed.channelType === 'im') {
    await answerQuestion(context, team, parsed);
    return;
  }
  if (parsed.files.length === 0) return;
  const message = { ...parsed, files: await completeFiles(context, parsed.files) };
  rememberMessageImages(context, team, message);
  if (mentions(message.text, context.botUserId)) return;
  await autoAltText(context, message);
}
