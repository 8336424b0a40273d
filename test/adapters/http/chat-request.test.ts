import { describe, expect, it } from 'vitest';
import { chatInputFrom } from '../../../adapters/http/chat-request.ts';

const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };
const user = (content: unknown) => ({ role: 'user', content });

describe('OpenAI chat request → service input', () => {
  it('takes the latest image and the last user text; no text is a caption', () => {
    expect(chatInputFrom({ messages: [user([image])] }, 100)).toEqual({ imageUrls: ['data:image/png;base64,AAAA'], question: undefined, generation: {}, fieldNames: { maxNewTokens: 'max_tokens', temperature: 'temperature', topP: 'top_p', seed: 'seed' }, stream: false, includeUsage: false });
    const later = { type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'auto' } };
    const input = chatInputFrom({ stream: true, messages: [user([image, { type: 'text', text: 'first' }]), { role: 'assistant', content: 'x' }, user([later, { type: 'text', text: ' second ' }])] }, 100);
    expect(input).toMatchObject({ imageUrls: ['https://example.com/b.png'], question: 'second', stream: true });
  });

  it('takes an earlier conversation replayed as clients keep it: an assistant turn with content null', () => {
    const input = chatInputFrom({ messages: [user([image, { type: 'text', text: 'what?' }]), { role: 'assistant', content: null }, user('and the colour?')] }, 100);
    expect(input).toMatchObject({ imageUrls: ['data:image/png;base64,AAAA'], question: 'and the colour?' });
    expect(() => chatInputFrom({ messages: [user(null), user([image])] }, 100)).toThrow(/messages\[0\]\.content must be a string or an array/);
  });

  it('takes every image of the latest message with images, in order, up to the server\'s limit', () => {
    const second = { type: 'image_url', image_url: { url: 'data:image/png;base64,BBBB' } };
    const input = chatInputFrom({ messages: [user([{ type: 'image_url', image_url: { url: 'data:image/png;base64,OLD' } }]), user([image, { type: 'text', text: 'what is it?' }, second])] }, 100, 4);
    expect(input.imageUrls).toEqual(['data:image/png;base64,AAAA', 'data:image/png;base64,BBBB']);
    expect(input.question).toBe('what is it?');
    expect(() => chatInputFrom({ messages: [user([image, second, image])] }, 100, 2)).toThrow(/has 3 images; this server answers about at most 2 images per message/);
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
    // More images in one message than the server answers about (here the default, 1).
    expect(code({ messages: [user([image, image])] })).toBe('INVALID_INPUT');
    expect(code({ messages: [user([{ type: 'input_audio', input_audio: {} }])] })).toBe('GENERATION_UNSUPPORTED_OPTION');
    expect(code({ messages: [user([{ type: 'image_url', image_url: { url: 'data:,', detail: 'huge' } }])] })).toBe('INVALID_INPUT');
    expect(code({ messages: [user([{ type: 'image_url', image_url: { url: 'data:,', size: 1 } }])] })).toBe('GENERATION_UNSUPPORTED_OPTION');
    expect(code({ messages: [user([image, { type: 'text', text: 'a question far too long' }])] })).toBe('INVALID_INPUT');
    expect(code({ messages: [{ role: 'tool', content: 'x' }] })).toBe('INVALID_INPUT');
    expect(code({ messages: [user('no image here')] })).toBe('NO_IMAGE');
    expect(code({ messages: [user([image])], max_tokens: 'ten' })).toBe('GENERATION_INVALID_OPTION');
    expect(code({ messages: [user([image])], max_tokens: 1, max_completion_tokens: 1 })).toBe('INVALID_INPUT');
  });

  const refusal = (extra: Record<string, unknown>) => {
    try {
      chatInputFrom({ messages: [user([image])], ...extra }, 100);
    } catch (error) {
      return { code: (error as { code: string }).code, message: (error as Error).message };
    }
    return 'accepted';
  };

  it('temperature 0, or none with top_p 1, is greedy: top_p and seed are dropped', () => {
    const generation = (extra: Record<string, unknown>) => chatInputFrom({ messages: [user([image])], ...extra }, 100).generation;
    expect(generation({ temperature: 0, top_p: 1 })).toEqual({});
    expect(generation({ temperature: 0, top_p: 0.3, seed: 7 })).toEqual({});
    expect(generation({ top_p: 1, seed: 7 })).toEqual({});
    expect(generation({ seed: 7 })).toEqual({});
    expect(generation({ temperature: null, top_p: null, seed: null })).toEqual({});
    expect(generation({ temperature: 1, top_p: 1, seed: 7 })).toEqual({ doSample: true, temperature: 1, topP: 1, seed: 7 });
  });

  it('accepts the fields that change nothing, as the openai SDKs and LangChain send them', () => {
    const input = chatInputFrom({
      messages: [user([{ type: 'image_url', image_url: { url: 'data:,', detail: 'low' } }, { type: 'text', text: 'what?' }])],
      user: 'user-1234', frequency_penalty: 0, presence_penalty: 0, stop: null, n: 1, logprobs: false,
      response_format: { type: 'text' }, stream: true, stream_options: { include_usage: true }, temperature: 0, top_p: 1,
    }, 100);
    expect(input).toEqual({ imageUrls: ['data:,'], question: 'what?', generation: {}, fieldNames: { maxNewTokens: 'max_tokens', temperature: 'temperature', topP: 'top_p', seed: 'seed' }, stream: true, includeUsage: true });
    for (const detail of ['auto', 'low', 'high']) {
      expect(chatInputFrom({ messages: [user([{ type: 'image_url', image_url: { url: 'data:,', detail } }])] }, 100).imageUrls).toEqual(['data:,']);
    }
    expect(refusal({ stop: [] })).toBe('accepted');
    expect(refusal({ stream_options: { include_usage: false } })).toBe('accepted');
    expect(refusal({ logit_bias: {}, store: false, metadata: { app: 'notes' } })).toBe('accepted');
    expect(refusal({ logit_bias: null, store: null, metadata: null })).toBe('accepted');
  });

  it('refuses the values that would change the answer, naming the field', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ n: 2 }, 'n'],
      [{ frequency_penalty: 0.5 }, 'frequency_penalty'],
      [{ presence_penalty: -1 }, 'presence_penalty'],
      [{ stop: '\n' }, 'stop'],
      [{ stop: ['END'] }, 'stop'],
      [{ logprobs: true }, 'logprobs'],
      [{ response_format: { type: 'json_object' } }, 'response_format'],
      [{ stream_options: { include_obfuscation: true } }, 'stream_options.include_obfuscation'],
      [{ tools: [] }, 'tools'],
      [{ logit_bias: { '50256': -100 } }, 'logit_bias'],
      [{ store: true }, 'store'],
    ];
    for (const [extra, field] of cases) {
      const result = refusal(extra);
      expect(result, JSON.stringify(extra)).toMatchObject({ code: 'GENERATION_UNSUPPORTED_OPTION' });
      expect((result as { message: string }).message).toContain(field);
    }
    expect(refusal({ user: 42 })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(refusal({ metadata: 'tag' })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(refusal({ frequency_penalty: 'none' })).toMatchObject({ code: 'GENERATION_INVALID_OPTION' });
    expect(refusal({ stream_options: { include_usage: 'yes' } })).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
