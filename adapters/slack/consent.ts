/** Images of users who opted out are only looked at when they ask themselves. */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import type { RememberedImage } from '../../src/conversation/conversation-manager.ts';
import { PLATFORM, type SlackAdapterContext } from './slack-context.ts';

export const OPTED_OUT_MESSAGE = 'The author of that image opted out of glance, so it is not described.';

export function consentedImages(context: SlackAdapterContext, images: RememberedImage[], askerId: string): RememberedImage[] {
  const kept = images.filter((image) => image.authorId === askerId || !context.settings.isUserOptedOut(PLATFORM, image.authorId));
  if (kept.length === 0) throw new GlanceError(ErrorCode.NoImage, OPTED_OUT_MESSAGE);
  return kept;
}
