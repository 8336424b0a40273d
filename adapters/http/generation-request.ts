/**
 * The body of `POST /v1/caption` and `POST /v1/ask`, as JSON (`{ image: base64 | data: URL, question, prompt,
 * rawPrompt, options, stream, progress }`) or multipart/form-data (an `image` file, the same names as text fields, `options` as
 * a JSON text), and the query (`?stream=`), validated into what the service runs. Unknown fields and query parameters
 * are refused, never ignored.
 */
import type { FastifyRequest } from 'fastify';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { decodeBase64Strict, decodeDataUrl, isDataUrl } from './image-encoding.ts';
import { characterCount } from '../shared/question-limit.ts';

/** Largest multipart text field (question, prompt, options); the image is a file part limited by the body limit. */
export const MAX_FIELD_BYTES = 64 * 1024;

export type GenerationRoute = 'caption' | 'ask';

export interface GenerationInput {
  image: Uint8Array;
  /** Undefined for a plain caption. */
  question?: string;
  rawPrompt: boolean;
  generation: Record<string, unknown>;
  /** The `stream` field or `?stream=`, when given (else the Accept header decides). */
  stream?: boolean;
  /** The `progress` field: a streamed answer also says each stage the request enters (`event: stage`). */
  progress: boolean;
}

const FIELDS: Record<GenerationRoute, readonly string[]> = {
  caption: ['image', 'prompt', 'options', 'stream', 'progress'],
  ask: ['image', 'question', 'rawPrompt', 'options', 'stream', 'progress'],
};

function invalid(message: string): GlanceError {
  return new GlanceError(ErrorCode.InvalidInput, message);
}

function imageFromText(text: string): Uint8Array {
  if (/^https?:\/\//i.test(text.trim())) {
    throw invalid('image must be the image itself (base64 or a data: URL): this route does not fetch URLs; download the image and send its bytes, or use POST /v1/chat/completions, which fetches http(s) image URLs where the server allows it');
  }
  return isDataUrl(text) ? decodeDataUrl(text) : decodeBase64Strict(text, 'image');
}

function parseOptions(value: unknown): Record<string, unknown> {
  if (value === undefined || value === '') return {};
  let options = value;
  if (typeof value === 'string') {
    try {
      options = JSON.parse(value);
    } catch {
      throw invalid('options must be a JSON object of generation options, e.g. {"maxNewTokens":20}');
    }
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('options must be an object of generation options, e.g. {"maxNewTokens":20}');
  }
  return options as Record<string, unknown>;
}

function parseBoolean(name: string, value: unknown): boolean {
  if (value === undefined || value === false || value === 'false' || value === '') return false;
  if (value === true || value === 'true') return true;
  throw invalid(`${name} must be true or false`);
}

function optionalText(name: string, value: unknown, maxChars: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  const length = characterCount(value);
  if (length > maxChars) throw invalid(`${name} is ${length} characters long; the limit is ${maxChars}: shorten it`);
  return value;
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  return value === undefined ? undefined : parseBoolean(name, value);
}

/** `?stream=1|true|0|false` (the only query parameter the generation routes take), or undefined when absent. */
export function streamFromQuery(query: unknown): boolean | undefined {
  const record = (query ?? {}) as Record<string, unknown>;
  const other = Object.keys(record).find((key) => key !== 'stream');
  if (other !== undefined) throw invalid(`unknown query parameter "${other}"; the only one is stream (?stream=1 for server-sent events)`);
  const value = record.stream;
  if (value === undefined) return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw invalid('?stream= must be 1 or true (server-sent events), or 0 or false (one JSON answer)');
}

/** Checks the fields of one request and builds the service input. */
export function generationInputFrom(route: GenerationRoute, fields: Record<string, unknown>, image: Uint8Array | undefined, maxQuestionChars: number): GenerationInput {
  const unknown = Object.keys(fields).filter((key) => !FIELDS[route].includes(key));
  if (unknown.length > 0) {
    const hint = route === 'caption' && unknown.includes('question') ? ' (questions go to POST /v1/ask)' : '';
    throw invalid(`unknown field "${unknown[0]}"${hint}; /v1/${route} takes ${FIELDS[route].join(', ')}`);
  }
  let bytes = image;
  if (fields.image !== undefined) {
    if (bytes) throw invalid('send one image');
    if (typeof fields.image !== 'string') throw invalid('image must be a base64 string or a data: URL');
    bytes = imageFromText(fields.image);
  }
  if (!bytes) throw new GlanceError(ErrorCode.NoImage, 'attach an image (the "image" field: a file upload, or base64 in JSON)');
  const generation = parseOptions(fields.options);
  const stream = optionalBoolean('stream', fields.stream);
  const streamed = { progress: parseBoolean('progress', fields.progress), ...(stream === undefined ? {} : { stream }) };
  if (route === 'caption') {
    const prompt = optionalText('prompt', fields.prompt, maxQuestionChars);
    return prompt ? { image: bytes, question: prompt, rawPrompt: true, generation, ...streamed } : { image: bytes, rawPrompt: false, generation, ...streamed };
  }
  const question = optionalText('question', fields.question, maxQuestionChars);
  if (question === undefined || question.trim() === '') throw invalid('ask needs a question (the "question" field); for a caption use POST /v1/caption');
  return { image: bytes, question, rawPrompt: parseBoolean('rawPrompt', fields.rawPrompt), generation, ...streamed };
}

/**
 * The parser's own errors for a body that is not well-formed multipart (no boundary in the content type, a body cut off
 * or not in the form's format) carry neither a GlanceError code nor fastify's status: they are the caller's
 * malformed request (400), not a failure inside glance. Fastify's and @fastify/multipart's errors (limits) keep theirs.
 */
function malformedMultipart(error: unknown): unknown {
  if (error instanceof GlanceError) return error;
  const known = error as { statusCode?: unknown; code?: unknown } | null;
  if (typeof known?.statusCode === 'number' || (typeof known?.code === 'string' && known.code.startsWith('FST_'))) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return invalid(`the multipart/form-data body could not be read (${reason}); send a well-formed form, e.g. curl -F image=@photo.jpg`);
}

async function readMultipart(request: FastifyRequest): Promise<{ fields: Record<string, unknown>; image?: Uint8Array }> {
  const fields: Record<string, unknown> = {};
  let image: Uint8Array | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'image') throw invalid(`unexpected file field "${part.fieldname}"; upload the image as "image"`);
        if (image) throw invalid('send one image');
        image = new Uint8Array(await part.toBuffer());
      } else {
        if (part.fieldname in fields) throw invalid(`field "${part.fieldname}" given twice`);
        if (part.valueTruncated) throw new GlanceError(ErrorCode.PayloadTooLarge, `field "${part.fieldname}" is longer than ${MAX_FIELD_BYTES} bytes`);
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    throw malformedMultipart(error);
  }
  return { fields, image };
}

/** The body's `stream` field and `?stream=` together: either may be given; both only when they agree. */
function withQueryStream(input: GenerationInput, query: unknown): GenerationInput {
  const fromQuery = streamFromQuery(query);
  if (fromQuery === undefined) return input;
  if (input.stream !== undefined && input.stream !== fromQuery) throw invalid('the stream field and ?stream= disagree; give one of them');
  return { ...input, stream: fromQuery };
}

/** Reads a JSON or multipart request (and its query) into the service input. */
export async function readGenerationInput(request: FastifyRequest, route: GenerationRoute, maxQuestionChars: number): Promise<GenerationInput> {
  streamFromQuery(request.query); // a bad query is refused before the body is read
  if (request.isMultipart()) {
    const { fields, image } = await readMultipart(request);
    return withQueryStream(generationInputFrom(route, fields, image, maxQuestionChars), request.query);
  }
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('send a JSON object ({"image": "<base64>", ...}) or a multipart/form-data upload');
  }
  return withQueryStream(generationInputFrom(route, body as Record<string, unknown>, undefined, maxQuestionChars), request.query);
}
