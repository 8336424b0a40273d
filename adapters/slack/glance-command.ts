/**
 * `/glance caption | ask <question> | alt-text on|off|status | opt-out | opt-in | help | privacy`. The command is
 * acknowledged at once (Slack wants it within 3 s); answers come through the command's response_url: settings and
 * errors privately (ephemeral), captions and answers in the channel. Slack has no per-channel "manage" permission
 * for slash commands, so anyone who can use the channel may switch its automatic alt text (docs/slack.md); the
 * answer says who switched it for everyone to see.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { isUnexpected, userMessage } from '../shared/error-messages.ts';
import { checkQuestion } from '../shared/question-limit.ts';
import { consentedImages } from './consent.ts';
import { conversationKey } from './conversation-key.ts';
import { helpText, privacyText } from './glance-texts.ts';
import { runSlackJob } from './image-job.ts';
import { toRead } from './message-images.ts';
import { formatReply, plainText } from './reply-format.ts';
import { PLATFORM, type SlackAdapterContext } from './slack-context.ts';

export interface SlashCommand {
  text: string;
  channelId: string;
  userId: string;
  team: string;
  channelName?: string;
}

export type Respond = (message: { text: string; response_type: 'ephemeral' | 'in_channel' }) => Promise<unknown>;

const USAGE = 'Usage: `/glance caption`, `/glance ask <question>`, `/glance alt-text on|off|status`, `/glance opt-out`, `/glance opt-in`, `/glance help`, `/glance privacy`.';

function isDirect(command: SlashCommand): boolean {
  return command.channelId.startsWith('D') || command.channelName === 'directmessage';
}

function altText(context: SlackAdapterContext, command: SlashCommand, action: string): { text: string; public: boolean } {
  if (isDirect(command)) return { text: 'Automatic alt text is for channels; in a DM just send me an image.', public: false };
  const enabled = context.settings.isChannelAutoAltText(PLATFORM, command.channelId);
  if (action === 'status' || action === '') return { text: enabled ? 'Automatic alt text is on in this channel.' : 'Automatic alt text is off in this channel.', public: false };
  if (action !== 'on' && action !== 'off') return { text: `Unknown alt-text action "${action}": use \`/glance alt-text on\`, \`off\` or \`status\`.`, public: false };
  context.settings.setChannelAutoAltText(PLATFORM, command.channelId, action === 'on');
  if (action === 'off') return { text: `<@${command.userId}> turned automatic alt text off in this channel.`, public: true };
  return {
    text: `<@${command.userId}> turned automatic alt text on in this channel: images posted without alt text get a short threaded reply describing them. Anyone can opt out with \`/glance opt-out\`; \`/glance alt-text off\` stops it. (glance must be a member of the channel: \`/invite @glance\`.)`,
    public: true,
  };
}

async function describeRecent(context: SlackAdapterContext, command: SlashCommand, question: string): Promise<string> {
  checkQuestion(question, context.config.limits.maxQuestionChars);
  const resolved = context.conversations.resolve({ key: conversationKey(command.team, command.channelId), messageId: '' });
  const images = consentedImages(context, resolved.images, command.userId).slice(0, context.config.limits.maxImagesPerMessage);
  const { outcomes } = await runSlackJob(context, {
    images: images.map(toRead),
    question,
    userId: command.userId,
    channelId: command.channelId,
  });
  if (outcomes.length === 1 && 'error' in outcomes[0]) throw new GlanceError(ErrorCode.ImageCorrupt, outcomes[0].error);
  return formatReply({ kind: question === '' ? 'caption' : 'answer', outcomes });
}

/** Runs the command after its ack; every answer (errors included) goes to `respond`. */
export async function glanceCommand(context: SlackAdapterContext, command: SlashCommand, respond: Respond): Promise<void> {
  const text = command.text.trim();
  const [word = '', ...rest] = text.split(/\s+/);
  const argument = text.slice(word.length).trim();
  const sub = word.toLowerCase();
  try {
    let answer: { text: string; public: boolean };
    if (sub === 'caption' && argument === '') answer = { text: await describeRecent(context, command, ''), public: true };
    else if (sub === 'ask') {
      if (argument === '') answer = { text: 'Ask a question: `/glance ask what does the sign say?`', public: false };
      else answer = { text: await describeRecent(context, command, argument), public: true };
    } else if (sub === 'alt-text') answer = altText(context, command, rest.join(' ').toLowerCase());
    else if (sub === 'opt-out') {
      context.settings.setUserOptOut(PLATFORM, command.userId, true);
      context.conversations.forgetAuthor(PLATFORM, command.userId);
      answer = { text: 'Done: glance will not describe or remember your images unless you ask it yourself. `/glance opt-in` undoes this.', public: false };
    } else if (sub === 'opt-in') {
      context.settings.setUserOptOut(PLATFORM, command.userId, false);
      answer = { text: 'Done: glance may describe your images again where automatic alt text is on.', public: false };
    } else if (sub === 'help' || sub === '') answer = { text: helpText(context.config), public: false };
    else if (sub === 'privacy') answer = { text: privacyText(context.config), public: false };
    else answer = { text: `Unknown /glance command "${plainText(word)}". ${USAGE}`, public: false };
    await respond({ text: answer.text, response_type: answer.public ? 'in_channel' : 'ephemeral' });
  } catch (error) {
    if (isUnexpected(error)) context.log?.error({ component: 'slack', err: error, channel: command.channelId }, '/glance failed');
    await respond({ text: plainText(userMessage(error)), response_type: 'ephemeral' });
  }
}
