/**
 * The text of glance's Slack replies. Attribution comes first and is short ("Alt text (glance): …") so screen-reader
 * users can skip it; with several images one numbered line each, naming the file; images skipped over the
 * per-message limit are named. Generated text is escaped (&, <, >) so it can never form a Slack mention, channel
 * ping or link, and everything stays under Slack's advised 4,000 characters.
 */
import { ATTRIBUTION, type ReplyKind } from '../shared/reply-attribution.ts';

export const SLACK_TEXT_LIMIT = 4000;

export type { ReplyKind };

export type ImageOutcome = { name: string; text: string } | { name: string; error: string };

export interface ReplyContent {
  kind: ReplyKind;
  outcomes: ImageOutcome[];
  /** Names of images not described because of the per-message limit. */
  skipped?: string[];
  /** The per-message limit, for the skipped line. */
  limit?: number;
}

/** Escapes Slack's control characters and collapses whitespace (generated text and file names are untrusted). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s+/g, ' ').trim();
}

function body(outcome: ImageOutcome): string {
  if ('error' in outcome) return `(could not be read: ${slackEscape(outcome.error)})`;
  return slackEscape(outcome.text) || '(no text was generated)';
}

/** Cuts `text` to `limit` characters, ending with "…" when cut. */
export function fitSlackText(text: string, limit = SLACK_TEXT_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export function formatReply(content: ReplyContent): string {
  const head = ATTRIBUTION[content.kind];
  const lines: string[] = [];
  if (content.outcomes.length === 1) lines.push(`${head}: ${body(content.outcomes[0])}`);
  else {
    lines.push(`${head}:`);
    content.outcomes.forEach((outcome, index) => lines.push(`${index + 1}. ${slackEscape(outcome.name)}: ${body(outcome)}`));
  }
  if (content.skipped && content.skipped.length > 0) {
    const names = content.skipped.map(slackEscape).join(', ');
    lines.push(`Not described (at most ${content.limit ?? content.outcomes.length} images per message): ${names}.`);
  }
  return fitSlackText(lines.join('\n'));
}

/** The text while an answer is still being generated (streamed by chat.update). */
export function formatPartial(kind: ReplyKind, textSoFar: string): string {
  return fitSlackText(`${ATTRIBUTION[kind]}: ${slackEscape(textSoFar)} …`);
}

/** A plain message to the user (an error or a notice), escaped. */
export function plainText(text: string): string {
  return fitSlackText(slackEscape(text));
}
