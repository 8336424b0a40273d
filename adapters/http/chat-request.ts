/**
 * The body of the OpenAI-compatible `POST /v1/chat/completions`: which image (the latest `image_url` part of the
 * user messages), which question (the text of the last user message; none → a caption), and the sampling fields
 * mapped to the engine's generation options. BLIP-2 has no chat template, so earlier turns only matter for the image
 * they carry. Fields glance cannot honour are refused with GENERATION_UNSUPPORTED_OPTION.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

export interface ChatInput {
  imageUrl: string;
  question?: string;
  generation: Record<string, unknown>;
  stream: boolean;
}

const SUPPORTED_FIELDS = ['model', 'messages', 'stream', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'seed', 'n'];

function invalid(message: string): GlanceError {
  return new GlanceError(ErrorCode.InvalidInput, message);
}

function number(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new GlanceError(ErrorCode.GenerationInvalidOption, `${name} must be a number`);
  return value;
}

/** OpenAI's sampling fields → the engine's options. No temperature (or 0) is greedy decoding. */
function generationFrom(body: Record<string, unknown>): Record<string, unknown> {
  const generation: Record<string, unknown> = {};
  if (body.max_tokens !== undefined && body.max_completion_tokens !== undefined) throw invalid('give max_tokens or max_completion_tokens, not both');
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined) generation.maxNewTokens = number('max_tokens', maxTokens);
  const temperature = body.temperature === undefined || body.temperature === null ? undefined : number('temperature', body.temperature);
  if (temperature !== undefined && temperature > 0) {
    generation.doSample = true;
    generation.temperature = temperature;
  }
  if (body.top_p !== undefined && body.top_p !== null) {
    generation.topP = number('top_p', body.top_p);
    if (temperature === undefined) generation.doSample = true;
  }
  if (body.seed !== undefined && body.seed !== null) generation.seed = number('seed', body.seed);
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    throw new GlanceError(ErrorCode.GenerationUnsupportedOption, 'n must be 1: glance returns one choice per request');
  }
  return generation;
}

interface Part {
  text?: string;
  imageUrl?: string;
}

function partsOf(content: unknown, index: number): Part[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) throw invalid(`messages[${index}].content must be a string or an array of content parts`);
  return content.map((part, p) => {
    const where = `messages[${index}].content[${p}]`;
    if (part === null || typeof part !== 'object') throw invalid(`${where} must be an object`);
    const record = part as Record<string, unknown>;
    if (record.type === 'text') {
      if (typeof record.text !== 'string') throw invalid(`${where}.text must be a string`);
      return { text: record.text };
    }
    if (record.type === 'image_url') {
      const imageUrl = record.image_url as Record<string, unknown> | undefined;
      if (!imageUrl || typeof imageUrl.url !== 'string') throw invalid(`${where}.image_url.url must be a string`);
      const extra = Object.keys(imageUrl).filter((key) => key !== 'url' && !(key === 'detail' && imageUrl.detail === 'auto'));
      if (extra.length > 0) throw new GlanceError(ErrorCode.GenerationUnsupportedOption, `${where}.image_url.${extra[0]} is not supported (only url, and detail "auto")`);
      return { imageUrl: imageUrl.url };
    }
    throw new GlanceError(ErrorCode.GenerationUnsupportedOption, `${where}: content parts of type "${String(record.type)}" are not supported (text, image_url)`);
  });
}

export function chatInputFrom(body: unknown, maxQuestionChars: number): ChatInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('send a JSON chat completion request');
  const record = body as Record<string, unknown>;
  const unsupported = Object.keys(record).filter((key) => !SUPPORTED_FIELDS.includes(key));
  if (unsupported.length > 0) {
    throw new GlanceError(ErrorCode.GenerationUnsupportedOption, `"${unsupported[0]}" is not supported; glance takes ${SUPPORTED_FIELDS.join(', ')}`);
  }
  if (record.model !== undefined && typeof record.model !== 'string') throw invalid('model must be a string');
  if (record.stream !== undefined && typeof record.stream !== 'boolean') throw invalid('stream must be true or false');
  const messages = record.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw invalid('messages must be a non-empty array');
  let imageUrl: string | undefined;
  let question: string | undefined;
  messages.forEach((message, index) => {
    if (message === null || typeof message !== 'object') throw invalid(`messages[${index}] must be an object`);
    const { role, content } = message as Record<string, unknown>;
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') throw invalid(`messages[${index}].role "${String(role)}" is not supported`);
    const parts = partsOf(content, index);
    if (role !== 'user') return;
    const images = parts.filter((part) => part.imageUrl !== undefined);
    if (images.length > 1) throw invalid(`messages[${index}] has ${images.length} images; send one image per request`);
    if (images.length === 1) imageUrl = images[0].imageUrl;
    question = parts.filter((part) => part.text !== undefined).map((part) => part.text).join('\n').trim();
  });
  if (imageUrl === undefined) throw new GlanceError(ErrorCode.NoImage, 'attach an image: a user message needs an image_url content part');
  if (question !== undefined && question.length > maxQuestionChars) {
    throw invalid(`the question is ${question.length} characters long; the limit is ${maxQuestionChars} (GLANCE_MAX_QUESTION_CHARS)`);
  }
  return { imageUrl, question: question === '' ? undefined : question, generation: generationFrom(record), stream: record.stream === true };
}
