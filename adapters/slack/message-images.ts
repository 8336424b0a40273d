/**
 * A Slack message's image files as the conversation manager remembers them (downloaded lazily when a later
 * question needs them). Images of users who opted out are not remembered (they are still read when the author asks
 * about them). Callers complete id-only files first (slack-files.ts → completeFiles).
 */
import type { RememberedImage } from '../../src/conversation/conversation-manager.ts';
import { conversationKey, tsToMs } from './conversation-key.ts';
import type { SlackMessage } from './event-fields.ts';
import type { SlackImage } from './image-job.ts';
import { PLATFORM, type SlackAdapterContext } from './slack-context.ts';
import { fileLoader, fileName, isImageCandidate } from './slack-files.ts';

export function messageImages(context: SlackAdapterContext, message: SlackMessage): RememberedImage[] {
  return message.files.filter((file) => !file.idOnly && isImageCandidate(file)).map(
    (file): RememberedImage => ({
      messageId: message.ts,
      authorId: message.user,
      postedAt: tsToMs(message.ts),
      name: fileName(file),
      ...(file.altTxt ? { altText: file.altTxt } : {}),
      load: fileLoader(context, file),
    }),
  );
}

/** Remembers the message's images unless its author opted out; returns them (in posting order) either way. */
export function rememberMessageImages(context: SlackAdapterContext, team: string, message: SlackMessage): RememberedImage[] {
  const images = messageImages(context, message);
  if (images.length > 0 && !context.settings.isUserOptedOut(PLATFORM, message.user)) {
    context.conversations.remember(conversationKey(team, message.channel, message.threadTs), images);
  }
  return images;
}

/** A remembered image to read now; the conversation manager's record learns its content hash once read. */
export function toRead(image: RememberedImage): SlackImage {
  return { name: image.name ?? 'image', load: image.load, noteHash: (imageHash) => (image.imageHash = imageHash) };
}
