/**
 * The prompt a request generates from, as `glance caption` / `glance ask` build it: no question = a caption (empty
 * prompt), a question becomes `Question: {question} Answer:`, and a raw prompt is used exactly as given.
 */
const QUESTION_HEAD = 'Question:';

export function buildPrompt(question: string | undefined, rawPrompt = false): string {
  if (question === undefined || question === '') return '';
  return rawPrompt ? question : `${QUESTION_HEAD} ${question} Answer:`;
}

/**
 * The start every prompt of this kind shares: what an image prefix kept for a follow-up can cover beyond the image
 * (`Question:` for questions; nothing to count on for captions and raw prompts).
 */
export function promptHead(question: string | undefined, rawPrompt = false): string {
  return question === undefined || question === '' || rawPrompt ? '' : QUESTION_HEAD;
}
