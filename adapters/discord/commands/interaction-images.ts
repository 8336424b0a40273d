/** Images that arrive with interactions: a slash command's attachment option, a context-menu command's target message. */
import type { Attachment, ChatInputCommandInteraction, Message } from 'discord.js';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { PLATFORM, type DiscordAdapterContext } from '../adapter-context.ts';
import { tooLarge } from '../../shared/image-limits.ts';
import { isImageCandidate } from '../image-attachments.ts';
import { imageCandidates, rememberMessageImages } from '../message-images.ts';

/**
 * The attachment option `name`, checked before deferring: a file Discord does not report as an image is refused,
 * and so is one whose reported size is above the limit. It is not remembered: nobody else in the channel sees an
 * upload of a slash command, so later questions (anyone's `/ask` without an image, mentions) must not find it.
 */
export function attachmentOption(context: DiscordAdapterContext, interaction: ChatInputCommandInteraction, name: string, required: boolean): Attachment | undefined {
  const attachment = interaction.options.getAttachment(name, required) ?? undefined;
  if (!attachment) return undefined;
  if (!isImageCandidate(attachment)) {
    throw new GlanceError(ErrorCode.ImageUnsupported, `The file ${attachment.name} is not an image; attach a JPEG, PNG, WebP, GIF or TIFF image.`);
  }
  if (attachment.size > context.config.limits.maxImageBytes) throw tooLarge(attachment.size, context.config.limits.maxImageBytes);
  return attachment;
}

/**
 * The image attachments of a context-menu target, remembered for later questions unless its author opted out (the
 * author's own request uses them either way; anyone else's is refused).
 */
export function targetImages(context: DiscordAdapterContext, message: Message, askerId: string): Attachment[] {
  const images = imageCandidates(message);
  if (images.length === 0) throw new GlanceError(ErrorCode.NoImage, 'That message has no image to describe.');
  if (message.author.id !== askerId && context.settings.isUserOptedOut(PLATFORM, message.author.id)) {
    throw new GlanceError(ErrorCode.NoImage, 'The author of that message opted out of glance, so its images are not described.');
  }
  rememberMessageImages(context, message);
  return images;
}
