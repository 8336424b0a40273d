/**
 * The body of the OpenAI-compatible `POST /v1/chat/completions`: which images (the `image_url` parts of the latest
 * user message that has any, up to GLANCE_MAX_IMAGES_PER_MESSAGE), which question (the text of the last user message;
 * none → a caption), and the other fields
 * (chat-options.ts: sampling → generation options). BLIP-2 has no chat template, so earlier turns only matter for the
 * image they carry. Fields glance cannot honour are refused with GENERATION_UNSUPPORTED_OPTION.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { CHAT_FIELDS, chatOptionsFrom, type ChatOptions } from './chat-options.ts';
import { characterCount } from '../shared/question-limit.ts';

export interface ChatInput extends ChatOptions {
  /** The images asked about, in message order (one or more). */
  imageUrls: string[];
  question?: string;
}

function invalid(message: string): GlanceError {
  return new GlanceError(ErrorCode.InvalidInput, message);
}

/** BLIP-2 always resizes the image to its own input size, so every `detail` gives the same result. */
const DETAILS = ['auto', 'low', 'high'];

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
      const extra = Object.keys(imageUrl).filter((key) => key !== 'url' && key !== 'detail');
      if (extra.length > 0) throw new GlanceError(ErrorCode.GenerationUnsupportedOption, `${where}.image_url.${extra[0]} is not supported (only url and detail)`);
      if (imageUrl.detail !== undefined && !DETAILS.includes(imageUrl.detail as string)) throw invalid(`${where}.image_url.detail must be one of ${DETAILS.join(', ')}`);
      return { imageUrl: imageUrl.url };
    }
    throw new GlanceError(ErrorCode.GenerationUnsupportedOption, `${where}: content parts of type "${String(record.type)}" are not supported (text, image_url)`);
  });
}

export function chatInputFrom(body: unknown, maxQuestionChars: number, maxImages = 1): ChatInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('send a JSON chat completion request');
  const record = body as Record<string, unknown>;
  const unsupported = Object.keys(record).filter((key) => !(CHAT_FIELDS as readonly string[]).includes(key));
  if (unsupported.length > 0) {
    throw new GlanceError(ErrorCode.GenerationUnsupportedOption, `"${unsupported[0]}" is not supported; glance takes ${CHAT_FIELDS.join(', ')}`);
  }
  if (record.model !== undefined && typeof record.model !== 'string') throw invalid('model must be a string');
  const options = chatOptionsFrom(record);
  const messages = record.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw invalid('messages must be a non-empty array');
  let imageUrls: string[] = [];
  let question: string | undefined;
  messages.forEach((message, index) => {
    if (message === null || typeof message !== 'object') throw invalid(`messages[${index}] must be an object`);
    const { role, content } = message as Record<string, unknown>;
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') throw invalid(`messages[${index}].role "${String(role)}" is not supported`);
    // An assistant turn may have no content (OpenAI sends null beside tool calls); it is not part of the prompt anyway.
    if (role === 'assistant' && (content === null || content === undefined)) return;
    const parts = partsOf(content, index);
    if (role !== 'user') return;
    const images = parts.filter((part) => part.imageUrl !== undefined).map((part) => part.imageUrl!);
    if (images.length > maxImages) {
      throw invalid(`messages[${index}] has ${images.length} images; this server answers about at most ${maxImages} image${maxImages === 1 ? '' : 's'} per message: send the others in another request`);
    }
    if (images.length > 0) imageUrls = images;
    question = parts.filter((part) => part.text !== undefined).map((part) => part.text).join('\n').trim();
  });
  if (imageUrls.length === 0) throw new GlanceError(ErrorCode.NoImage, 'attach an image: a user message needs an image_url content part');
  const length = question === undefined ? 0 : characterCount(question);
  if (length > maxQuestionChars) throw invalid(`the question is ${length} characters long; the limit is ${maxQuestionChars}: shorten the question`);
  return { imageUrls, question: question === '' ? undefined : question, ...options };
}
