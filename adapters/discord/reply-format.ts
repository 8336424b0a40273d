/**
 * The text of glance's replies. Attribution comes first and is short ("Alt text (glance): …") so screen-reader
 * users can skip it; one line per image, numbered when there are several; the text of a spoilered image is
 * spoilered too; images skipped over the per-message limit are named; everything fits Discord's 2000 characters.
 */
import { ATTRIBUTION, type ReplyKind } from '../shared/reply-attribution.ts';

export const DISCORD_MESSAGE_LIMIT = 2000;

export type { ReplyKind };

export type ImageOutcome = { name: string; spoiler: boolean; text: string } | { name: string; spoiler: boolean; error: string };

export interface ReplyContent {
  kind: ReplyKind;
  outcomes: ImageOutcome[];
  /** Names of images not described because of the per-message limit. */
  skipped?: string[];
  /** The per-message limit, for the skipped line. */
  limit?: number;
}

/** Escapes what would break the spoiler markup or ping people. */
function clean(text: string): string {
  return text.replace(/\|\|/g, '| |').replace(/@(everyone|here)/g, '@\u200b$1').replace(/\s+/g, ' ').trim();
}

function line(outcome: ImageOutcome): string {
  if ('error' in outcome) return `(could not be read: ${clean(outcome.error)})`;
  const text = clean(outcome.text) || '(no text was generated)';
  return outcome.spoiler ? `||${text}||` : text;
}

/** Cuts `text` to `limit` characters, ending with "…" when cut (keeping a spoiler closed). */
export function fitMessage(text: string, limit = DISCORD_MESSAGE_LIMIT): string {
  if (text.length <= limit) return text;
  let cut = text.slice(0, limit - 1);
  const openSpoilers = (cut.match(/\|\|/g) ?? []).length;
  if (openSpoilers % 2 === 1) cut = `${cut.slice(0, limit - 3)}||`;
  return `${cut}…`;
}

export function formatReply(content: ReplyContent): string {
  const head = ATTRIBUTION[content.kind];
  const lines: string[] = [];
  if (content.outcomes.length === 1) lines.push(`${head}: ${line(content.outcomes[0])}`);
  else {
    lines.push(`${head}:`);
    content.outcomes.forEach((outcome, index) => lines.push(`${index + 1}. ${line(outcome)}`));
  }
  const body = lines.join('\n');
  if (!content.skipped || content.skipped.length === 0) return fitMessage(body);
  // the skipped images stay named when long answers are cut: the note is kept (at most half the message) after them
  const names = content.skipped.map((name) => clean(name)).join(', ');
  const note = fitMessage(`Not described (at most ${content.limit ?? content.outcomes.length} images per message): ${names}.`, DISCORD_MESSAGE_LIMIT / 2);
  return `${fitMessage(body, DISCORD_MESSAGE_LIMIT - note.length - 1)}\n${note}`;
}

/** The text while an answer is still being generated (streamed by edits). */
export function formatPartial(kind: ReplyKind, textSoFar: string, spoiler: boolean): string {
  const text = clean(textSoFar);
  return fitMessage(`${ATTRIBUTION[kind]}: ${spoiler ? `||${text}||` : text} …`);
}
