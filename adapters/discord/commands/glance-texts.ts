/** The texts of `/glance help` and `/glance privacy` (also in docs/discord.md). */
import type { ServiceConfig } from '../../../src/config/service-config.ts';
import { fitMessage } from '../reply-format.ts';

function minutes(ms: number): string {
  const value = Math.round(ms / 60_000);
  return `${value} minute${value === 1 ? '' : 's'}`;
}

export function helpText(config: ServiceConfig): string {
  return fitMessage(
    [
      '**glance** describes images and answers questions about them.',
      '• `/caption image:` — alt text for an image (`length: detailed` for a longer one, `prompt:` to start it).',
      '• `/ask question:` — a question about the attached image, or about the recent image in this channel.',
      '• Right-click a message → Apps → **Describe image** or **Ask about image**.',
      '• Mention me (or reply to my message) with a question; DMs work too.',
      `• \`/glance alt-text on\` — moderators (Manage Channels) turn on automatic alt text for a channel (at most ${config.limits.maxImagesPerMessage} images per message; images that already have a description are skipped).`,
      '• `/glance opt-out` / `/glance opt-in` — whether glance may describe and remember your images.',
      '• `/glance privacy` — what glance keeps.',
    ].join('\n'),
  );
}

export function privacyText(config: ServiceConfig): string {
  return fitMessage(
    [
      '**What glance keeps**',
      '• Image bytes are never stored: glance downloads an image from Discord when it needs it, looks at it in memory, and drops it.',
      `• The image's embedding (numbers the model computed from it, not the picture) stays in memory for up to ${minutes(config.cache.ttlMs)} so follow-up questions are fast; a restart clears it.`,
      `• Which recent images were posted where (message id, author id, file name, link) is kept in memory for ${minutes(config.conversation.ttlMs)} so questions find their image; never on disk. Deleting a message makes glance forget its images; images uploaded with /caption or /ask are not kept at all.`,
      '• On disk (SQLite): only the channels with automatic alt text on and the users who opted out.',
      '• Logs: request timings, error codes and ids of channels/messages; never image bytes, questions or answers.',
      '• `/glance opt-out` stops automatic alt text for your images and forgets the ones remembered.',
    ].join('\n'),
  );
}
