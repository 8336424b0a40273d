import { describe, expect, it } from 'vitest';
import { chatInputFrom } from '../../../adapters/http/chat-request.ts';

const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };
const user = (content: unknown) => ({ role: 'user', content });

describe('OpenAI chat request → service input', () => {
  it('takes the latest image and the last user text; no text is a caption', () => {
    expect(chatInputFrom({ messages: [user([image])] }, 100)).toEqual({ imageUrl: 'data:image/png;base64,AAAA', question: undefined, generation: {}, stream: false });
    const later = { type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'auto' } };
    const input = chatInputFrom({ stream: true, messages: [user([image, { type: 'text', text: 'first' }]), { role: 'assistant', content: 'x' }, user([later, { type: 'text', text: ' second ' }])] }, 100);
    expect(input).toMatchObject({ imageUrl: 'https://example.com/b.png', question: 'second', stream: true });
  });

  it('maps the sampling fields: no temperature or 0 is greedy, above 0 samples', () => {
    expect(chatInputFrom({ messages: [user([image])], max_tokens: 12, temperature: 0 }, 100).generation).toEqual({ maxNewTokens: 12 });
    expect(chatInputFrom({ messages: [user([image])], max_completion_tokens: 7, temperature: 0.7, top_p: 0.9, seed: 3 }, 100).generation).toEqual({ maxNewTokens: 7, doSample: true, temperature: 0.7, topP: 0.9, seed: 3 });
    expect(chatInputFrom({ messages: [user([image])], top_p: 0.5 }, 100).generation).toEqual({ doSample: true, topP: 0.5 });
  });

  it('refuses what it cannot honour', () => {
    const code = (body: unknown) => {
      try {
        chatInputFrom(body, 10);
      } catch (error) {
        return (error as { code: string }).code;
      }
      return 'accepted';
    };
    expect(code({ messages: [user([image])], stop: ['\n'] })).toBe('GENERATION_UNSUPPORTED_OPTION');
    expect(code({ messages: [user([image, image])] })).toBe('INVALID_INPUT');
    expect(code({ messages: [user([{ type: 'input_audio', input_audio: {} }])] })).toBe('GENERATION_UNSUPPORTED_OPTION');
    expect(code({ messages: [user([{ type: 'image_url', image_url: { url: 'data:,', detail: 'high' } }])] })).toBe('GENERATION_UNSUPPORTED_OPTION');
    expect(code({ messages: [user([image, { type: 'text', text: 'a question far too long' }])] })).toBe('INVALID_INPUT');
    expect(code({ messages: [{ role: 'tool', content: 'x' }] })).toBe('INVALID_INPUT');
    expect(code({ messages: [user('no image here')] })).toBe('NO_IMAGE');
    expect(code({ messages: [user([image])], max_tokens: 'ten' })).toBe('GENERATION_INVALID_OPTION');
    expect(code({ messages: [user([image])], max_tokens: 1, max_completion_tokens: 1 })).toBe('INVALID_INPUT');
  });
});
