/** The texts of `/glance help` and `/glance privacy` (also in docs/slack.md). */
import type { ServiceConfig } from '../../src/config/service-config.ts';

function minutes(ms: number): string {
  const value = Math.round(ms / 60_000);
  return `${value} minute${value === 1 ? '' : 's'}`;
}

export function helpText(config: ServiceConfig): string {
  return [
    '*glance* describes images and answers questions about them.',
    '• Mention me with a question in a thread (or on a message with an image): `@glance what does the error say?` — I answer in the thread about its image. A mention without a question gets a caption. DMs work too.',
    '• `/glance caption` — a caption of the most recent image in this channel.',
    '• `/glance ask <question>` — a question about the most recent image in this channel.',
    '• Message menu (⋮) → *Describe image* — alt text for that message’s images.',
    `• \`/glance alt-text on|off|status\` — automatic alt text in this channel (anyone in the channel may switch it; at most ${config.limits.maxImagesPerMessage} images per message; images with alt text are skipped). Invite me to the channel first: \`/invite @glance\`.`,
    '• `/glance opt-out` / `/glance opt-in` — whether glance may describe and remember your images.',
    '• `/glance privacy` — what glance keeps.',
  ].join('\n');
}

export function privacyText(config: ServiceConfig): string {
  return [
    '*What glance keeps*',
    '• Image bytes are never stored: glance downloads a file from Slack with its bot token when it needs it, looks at it in memory, and drops it.',
    `• The image’s embedding (numbers the model computed from it, not the picture) stays in memory for up to ${minutes(config.cache.ttlMs)} so follow-up questions are fast; a restart clears it.`,
    `• Which recent images were posted where (message ts, author id, file name, link) is kept in memory for ${minutes(config.conversation.ttlMs)} so questions find their image; never on disk.`,
    '• On disk (SQLite): only the channels with automatic alt text on and the users who opted out.',
    '• Logs: request timings, error codes and ids of channels/messages; never image bytes, questions or answers.',
    '• `/glance opt-out` stops automatic alt text for your images and forgets the ones remembered.',
  ].join('\n');
}
