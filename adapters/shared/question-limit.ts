/** Questions longer than GLANCE_MAX_QUESTION_CHARS are refused with a message that says so (before any work). */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

export function checkQuestion(question: string, maxChars: number): void {
  if (question.length > maxChars) {
    throw new GlanceError(ErrorCode.InvalidInput, `Your question is ${question.length} characters long; the limit is ${maxChars}. Ask a shorter question.`, {
      length: question.length,
      maxChars,
    });
  }
}
