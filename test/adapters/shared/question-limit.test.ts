/** The question limit counts characters as a user does: an emoji or another astral character is one. */
import { describe, expect, it } from 'vitest';
import { chatInputFrom } from '../../../adapters/http/chat-request.ts';
import { generationInputFrom } from '../../../adapters/http/generation-request.ts';
import { characterCount, checkQuestion } from '../../../adapters/shared/question-limit.ts';

const emoji = '🐱'; // two UTF-16 units, one character
const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };

describe('question limit', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(characterCount(emoji.repeat(5))).toBe(5);
    expect(characterCount('é?')).toBe(2);
    expect(() => checkQuestion(emoji.repeat(10), 10)).not.toThrow();
    expect(() => checkQuestion(emoji.repeat(11), 10)).toThrow(/11 characters long; the limit is 10/);
  });

  it('the HTTP routes count the same way (chat completions, ask)', () => {
    const chat = (text: string) => chatInputFrom({ messages: [{ role: 'user', content: [image, { type: 'text', text }] }] }, 10);
    expect(chat(emoji.repeat(10)).question).toBe(emoji.repeat(10));
    expect(() => chat(emoji.repeat(11))).toThrow(/11 characters long/);
    const ask = (question: string) => generationInputFrom('ask', { image: 'AAAA', question }, undefined, 10);
    expect(ask(emoji.repeat(10)).question).toBe(emoji.repeat(10));
    expect(() => ask(emoji.repeat(11))).toThrow(/11 characters long/);
  });
});
