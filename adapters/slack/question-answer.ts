/**
 * Answers a message addressed to glance (an @mention, or any direct message) in its thread (`thread_ts ?? ts`).
 * The text without the mention is the question; no text = a caption. The image is the one on the message, else
 * the image the thread started with (remembered, or read with conversations.replies), else the most recent image
 * in the thread or channel (the conversation manager decides). Images of users who opted out are only read when
 * they ask themselves. Every failure becomes a readable reply.
 */
import type { ResolvedImages } from '../../src/conversation/conversation-manager.ts';
import { isUnexpected, userMessage } from '../shared/error-messages.ts';
import { checkQuestion } from '../shared/question-limit.ts';
import { consentedImages } from './consent.ts';
import { conversationKey, replyThread } from './conversation-key.ts';
import { questionText, type SlackMessage } from './event-fields.ts';
import { runSlackJob } from './image-job.ts';
import { rememberMessageImages, toRead } from './message-images.ts';
import { formatPartial, formatReply, plainText } from './reply-format.ts';
import type { SlackAdapterContext } from './slack-context.ts';
import { completeFiles } from './slack-files.ts';
import { rememberThread } from './thread-history.ts';
import { startThreadReply } from './thread-reply.ts';

async function imagesFor(context: SlackAdapterContext, team: string, message: SlackMessage): Promise<ResolvedImages> {
  const attached = rememberMessageImages(context, team, message);
  const key = conversationKey(team, message.channel, message.threadTs);
  const query = { key, messageId: message.ts, attached: attached.length > 0 ? attached : undefined, replyToMessageId: message.threadTs };
  if (message.threadTs === undefined) return context.conversations.resolve(query);
  let first: ResolvedImages | undefined;
  try {
    first = context.conversations.resolve(query);
    if (first.source === 'message' || first.source === 'reply') return first;
  } catch {
    // nothing remembered yet: read the thread below
  }
  await rememberThread(context, team, message.channel, message.threadTs);
  return context.conversations.resolve(query);
}

/** Answers the message in its thread; resolves when the reply is sent (or could not be: logged). */
export async function answerQuestion(context: SlackAdapterContext, team: string, raw: SlackMessage): Promise<void> {
  const question = questionText(raw.text, context.botUserId);
  const reply = startThreadReply(context, raw.channel, replyThread(raw));
  let text: string;
  try {
    checkQuestion(question, context.config.limits.maxQuestionChars);
    const message = { ...raw, files: await completeFiles(context, raw.files) };
    const resolved = await imagesFor(context, team, message);
    const images = consentedImages(context, resolved.images, message.user).slice(0, context.config.limits.maxImagesPerMessage);
    const kind = question === '' ? 'caption' : 'answer';
    const { outcomes } = await runSlackJob(context, {
      images: images.map(toRead),
      question,
      userId: message.user,
      channelId: message.channel,
      onPartial: (soFar) => reply.update(formatPartial(kind, soFar)),
    });
    text = outcomes.length === 1 && 'error' in outcomes[0] ? plainText(outcomes[0].error) : formatReply({ kind, outcomes });
  } catch (error) {
    if (isUnexpected(error)) context.log?.error({ component: 'slack', err: error, channel: raw.channel }, 'answering a Slack message failed');
    text = plainText(userMessage(error));
  }
  await reply.finish(text);
}
