/**
 * Discord's CDN links are signed and expire (about a day). A remembered message's image whose link the CDN refuses
 * (HTTP 404 or 403) is recovered the way Discord intends: the message is fetched again from the REST API, whose
 * answer carries freshly signed links, and the image is downloaded once more. Only when that fails (message deleted,
 * attachment gone, second download refused) does the user hear "post it again" (the first download's error).
 */
import type { Attachment, Message } from 'discord.js';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import type { DiscordAdapterContext } from './adapter-context.ts';

/** True when a download failed because the CDN refused the link (expired or revoked signature). */
export function isRefusedLink(error: unknown): boolean {
  if (!(error instanceof GlanceError) || error.code !== ErrorCode.ImageCorrupt) return false;
  const status = error.details?.status;
  return status === 404 || status === 403;
}

/**
 * A loader for `attachment` that, when its link has been refused, asks `refetch` for the message again and
 * downloads the attachment from its new link (kept for later loads). Without `refetch` (interaction uploads,
 * which are not messages) a refused link is final.
 */
export function downloaderWithRetry(context: DiscordAdapterContext, attachment: Pick<Attachment, 'id' | 'url'>, refetch?: () => Promise<Message>): () => Promise<Uint8Array> {
  let url = attachment.url;
  return async () => {
    try {
      return await context.download(url);
    } catch (error) {
      if (!refetch || !isRefusedLink(error)) throw error;
      let renewed: string | undefined;
      try {
        renewed = (await refetch()).attachments.get(attachment.id)?.url;
      } catch (refetchError) {
        context.log?.debug({ err: refetchError, attachment: attachment.id }, 'the message of an expired image link could not be fetched again');
      }
      if (!renewed || renewed === url) throw error;
      url = renewed;
      return context.download(url);
    }
  };
}
