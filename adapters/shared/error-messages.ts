/**
 * Error codes → the polite text a chat user (Discord, Slack) reads, in one table. Image problems keep the specific
 * message (the engine's and the download guard's messages are written for users); anything unexpected gets a generic
 * line (the details go to the log, never to the channel).
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { PER_IMAGE_CODES } from './image-limits.ts';

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

const FIXED: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.Busy]: 'glance is busy right now; try again in a moment.',
  [ErrorCode.DeadlineExceeded]: 'That took too long and was stopped; try again in a moment.',
  [ErrorCode.Aborted]: 'glance is restarting or the request was cancelled; try again in a minute.',
  [ErrorCode.EngineCrashed]: 'Something went wrong while looking at the image (glance restarted its engine); try again.',
  [ErrorCode.ModelUnavailable]: 'glance has no model loaded right now; try again later.',
};

/** Codes whose message is already written for the person who asked: every image problem, and these. */
const OWN_MESSAGE = new Set<ErrorCode>([
  ...PER_IMAGE_CODES,
  ErrorCode.NoImage,
  ErrorCode.InvalidInput,
  ErrorCode.GenerationInvalidOption,
  ErrorCode.GenerationUnsupportedOption,
]);

export const UNEXPECTED_ERROR_MESSAGE = 'Something went wrong on glance’s side; try again later.';

/** The text shown to the user for `error` (a GlanceError, a platform API error, or anything else). */
export function userMessage(error: unknown): string {
  if (!(error instanceof GlanceError)) return UNEXPECTED_ERROR_MESSAGE;
  if (error.code === ErrorCode.RateLimited) return `Slow down a little: ${error.message.trim().replace(/\.$/, '')}.`;
  const fixed = FIXED[error.code];
  if (fixed) return fixed;
  if (OWN_MESSAGE.has(error.code)) return sentence(error.message);
  return UNEXPECTED_ERROR_MESSAGE;
}

/** Errors worth an error-level log line (not the user's input or the load). */
export function isUnexpected(error: unknown): boolean {
  return !(error instanceof GlanceError) || !(error.code in FIXED || OWN_MESSAGE.has(error.code) || error.code === ErrorCode.RateLimited);
}
