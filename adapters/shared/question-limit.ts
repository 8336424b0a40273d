/**
 * Questions longer than GLANCE_MAX_QUESTION_CHARS are refused with a message that says so (before any work).
 * Length is counted in characters (Unicode code points), as a user counts them: an emoji is one, not two.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

/** Characters (code points) in a text, not UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function checkQuestion(question: string, maxChars: number): void {
  const length = characterCount(question);
  if (length > maxChars) {
    throw new GlanceError(ErrorCode.InvalidInput, `Your question is ${length} characters long; the limit is ${maxChars}. Ask a shorter question.`, {
      length,
      maxChars,
    });
  }
}
