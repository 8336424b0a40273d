/**
 * The prompt a request generates from, as `glance caption` / `glance ask` build it: no question = a caption (empty
 * prompt), a question becomes `Question: {question} Answer:`, and a raw prompt is used exactly as given.
 */
export function buildPrompt(question: string | undefined, rawPrompt = false): string {
  if (question === undefined || question === '') return '';
  return rawPrompt ? question : `Question: ${question} Answer:`;
}
