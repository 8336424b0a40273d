/**
 * `app_mention`: someone @mentioned glance in a channel (or a thread). Answered in the thread; an event without
 * channel, user or ts is logged and dropped.
 */
import { parseMessage, teamOf } from './event-fields.ts';
import { answerQuestion } from './question-answer.ts';
import type { SlackAdapterContext } from './slack-context.ts';

export async function handleMention(context: SlackAdapterContext, body: unknown, event: unknown): Promise<void> {
  const message = parseMessage(event);
  if (!message) {
    context.log?.warn({ component: 'slack', event: 'app_mention' }, 'an app_mention event without channel, user or ts was ignored');
    return;
  }
  if (message.botId) return;
  await answerQuestion(context, teamOf(body, context.teamId), message);
}
