/**
 * Answering an interaction: defer at once (Discord's 3 s deadline), stream the answer into the deferred reply with
 * edits at most once a second, and show errors privately (ephemeral): before deferring as an ephemeral reply; after
 * a public deferral by deleting the "thinking" reply and sending an ephemeral follow-up (or, when the delete
 * fails, by editing the reply).
 */
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { isUnexpected, userMessage } from '../shared/error-messages.ts';
import { NO_PINGS } from './discord-reply.ts';
import { runImageJob, type ImageJob } from './image-job.ts';
import { formatPartial, formatReply, type ReplyKind } from './reply-format.ts';
import { ThrottledEditor } from '../shared/throttled-editor.ts';

/** Shows `error` (or a text) to the person who ran the interaction only. */
export async function replyPrivately(context: DiscordAdapterContext, interaction: RepliableInteraction, errorOrText: unknown): Promise<void> {
  const content = typeof errorOrText === 'string' ? errorOrText : userMessage(errorOrText);
  if (typeof errorOrText !== 'string' && isUnexpected(errorOrText)) context.log?.error({ err: errorOrText, interaction: interaction.id }, 'a Discord interaction failed');
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
      return;
    }
    const ephemeralAlready = interaction.ephemeral === true;
    if (ephemeralAlready) {
      await interaction.editReply({ content, allowedMentions: NO_PINGS });
      return;
    }
    try {
      await interaction.deleteReply();
    } catch {
      await interaction.editReply({ content, allowedMentions: NO_PINGS });
      return;
    }
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
  } catch (error) {
    context.log?.warn({ err: error, interaction: interaction.id }, 'could not send an error message to a Discord interaction');
  }
}

export async function deferPublicly(interaction: RepliableInteraction): Promise<void> {
  if (!interaction.deferred && !interaction.replied) await interaction.deferReply();
}

/** Images of the request not looked at because of the per-message limit (named in the reply). */
export interface SkippedImages {
  names: string[];
  limit: number;
}

/**
 * Defers, runs the job (streaming into the reply), and edits in the formatted answer, naming `skipped` images. One
 * unreadable image alone (none skipped) is shown privately; the job's refusals (busy, rate limited…) too.
 */
export async function answerInteraction(
  context: DiscordAdapterContext,
  interaction: RepliableInteraction,
  kind: ReplyKind,
  job: Omit<ImageJob, 'onPartial'>,
  prefix = '',
  skipped: SkippedImages = { names: [], limit: job.images.length },
): Promise<void> {
  try {
    await deferPublicly(interaction);
  } catch (error) {
    context.log?.warn({ err: error, interaction: interaction.id }, 'could not defer a Discord interaction (expired or already answered)');
    return;
  }
  const editor = new ThrottledEditor({
    send: async (content) => {
      await interaction.editReply({ content, allowedMentions: NO_PINGS });
    },
    onError: (error) => context.log?.warn({ err: error, interaction: interaction.id }, 'a streamed Discord edit failed'),
  });
  const spoiler = job.images[0]?.spoiler ?? false;
  try {
    const { outcomes } = await runImageJob(context, { ...job, onPartial: (soFar) => editor.update(formatPartial(kind, prefix + soFar, spoiler)) });
    if (outcomes.length === 1 && 'error' in outcomes[0] && skipped.names.length === 0) {
      await editor.cancel();
      await replyPrivately(context, interaction, outcomes[0].error);
      return;
    }
    const shown = prefix ? outcomes.map((outcome) => ('text' in outcome ? { ...outcome, text: prefix + outcome.text } : outcome)) : outcomes;
    await editor.finish(formatReply({ kind, outcomes: shown, skipped: skipped.names, limit: skipped.limit }));
  } catch (error) {
    await editor.cancel();
    await replyPrivately(context, interaction, error);
  }
}
