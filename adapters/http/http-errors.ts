/**
 * Error codes → HTTP statuses and the text the caller reads, in one table that names every code, and the one JSON
 * error shape every route answers with: `{ "error": { "code", "message", "detail"? } }`. `message` says what went wrong
 * and what to do; `detail` keeps the service's own words where they help (e.g. the deadline that passed). Internal
 * failures get a fixed message: their details go to the log only. Fastify's own errors (body too large, bad JSON,
 * unsupported content type, multipart limits) are turned into coded errors here too.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

interface CodeAnswer {
  status: number;
  /** A fixed message; without one the error's own message (written for the caller) is the message. */
  message?: string;
  /** With a fixed message: also send the error's own message as `detail`. */
  detail?: boolean;
  /** Seconds to wait before retrying (unless the error knows the wait). */
  retryAfterSeconds?: number;
}

const SERVER_SETUP: CodeAnswer = { status: 500, message: 'glance\'s model is not set up correctly on this server; try again later, and tell the operator if it persists' };

/** Every code, so a new one fails to compile until it has an answer. */
export const CODE_ANSWERS: Record<ErrorCode, CodeAnswer> = {
  [ErrorCode.ImageEmpty]: { status: 400 },
  [ErrorCode.ImageUnsupported]: { status: 415 },
  [ErrorCode.ImageCorrupt]: { status: 422 },
  [ErrorCode.ImageTooLarge]: { status: 413 },
  [ErrorCode.CheckpointMissingFile]: SERVER_SETUP,
  [ErrorCode.CheckpointUnsupportedModel]: SERVER_SETUP,
  [ErrorCode.CheckpointCorrupt]: SERVER_SETUP,
  [ErrorCode.CheckpointShapeMismatch]: SERVER_SETUP,
  [ErrorCode.CheckpointInvalidConfig]: SERVER_SETUP,
  [ErrorCode.BundleInvalid]: SERVER_SETUP,
  [ErrorCode.ProviderUnavailable]: SERVER_SETUP,
  [ErrorCode.OutputExists]: SERVER_SETUP,
  [ErrorCode.ConfigInvalid]: { status: 500, message: 'glance is not configured correctly on this server; tell the operator (the server log names the setting)' },
  [ErrorCode.GenerationUnsupportedOption]: { status: 400 },
  [ErrorCode.GenerationInvalidOption]: { status: 400 },
  [ErrorCode.InvalidInput]: { status: 400 },
  [ErrorCode.NoImage]: { status: 400 },
  [ErrorCode.PayloadTooLarge]: { status: 413 },
  [ErrorCode.RemoteImageRefused]: { status: 403 },
  [ErrorCode.RequestRefused]: { status: 403 },
  [ErrorCode.ModelKindMismatch]: { status: 500, message: 'the model this server runs cannot caption images or answer questions (it is a retrieval model); tell the operator', detail: true },
  [ErrorCode.Aborted]: { status: 503, message: 'the request was cancelled, or glance is shutting down; send it again in a moment', retryAfterSeconds: 5 },
  [ErrorCode.DeadlineExceeded]: {
    status: 504,
    message: 'glance did not finish in time; try again with fewer new tokens (max_tokens / maxNewTokens) or when it is less busy',
    detail: true,
  },
  [ErrorCode.NetworkUnreachable]: { status: 502, message: 'glance could not reach a service it depends on; try again later, and tell the operator if it persists' },
  [ErrorCode.RuntimeFailure]: { status: 500, message: 'something went wrong inside glance; try again, and tell the operator if it keeps happening' },
  [ErrorCode.EngineCrashed]: { status: 503, message: 'glance\'s engine stopped while working on this request and is restarting; try again in a few seconds', retryAfterSeconds: 5 },
  [ErrorCode.Busy]: { status: 503, retryAfterSeconds: 5 },
  [ErrorCode.RateLimited]: { status: 429, retryAfterSeconds: 10 },
  [ErrorCode.ModelUnavailable]: { status: 503, message: 'glance has no model loaded right now; try again later', retryAfterSeconds: 30 },
};

export interface HttpError {
  status: number;
  code: string;
  message: string;
  detail?: string;
  retryAfterSeconds?: number;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * @fastify/multipart's limits (files: 1, fields and parts: see http-adapter.ts) answer 413; they are a malformed form,
 * not a large body. A form field declared application/json that is not JSON answers 406 (a status about the Accept
 * header); it is a malformed form too.
 */
const MULTIPART_LIMITS: Record<string, string> = {
  FST_INVALID_JSON_FIELD_ERROR: 'a form field sent with Content-Type application/json is not valid JSON; fix it, or send the field as plain text',
  FST_FILES_LIMIT: 'send one image per request (one file field named "image")',
  FST_FIELDS_LIMIT: 'too many form fields; send the image and only the fields the route takes (question, prompt, rawPrompt, options, stream)',
  FST_PARTS_LIMIT: 'too many form fields; send the image and only the fields the route takes (question, prompt, rawPrompt, options, stream)',
};

function fromGlanceError(error: GlanceError): HttpError {
  const answer = CODE_ANSWERS[error.code] ?? { status: 500, message: CODE_ANSWERS[ErrorCode.RuntimeFailure].message };
  const retryAfterMs = error.details?.retryAfterMs;
  const retryAfterSeconds = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : answer.retryAfterSeconds;
  return {
    status: answer.status,
    code: error.code,
    message: answer.message ?? error.message,
    ...(answer.message !== undefined && answer.detail ? { detail: error.message } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
}

function mebibytes(bytes: number): string {
  return `${Number((bytes / 2 ** 20).toFixed(2))} MiB`;
}

/** What the body-too-large answer can name: the limit (GLANCE_HTTP_BODY_LIMIT_MB), and whether the route takes uploads. */
export interface BodyLimitContext {
  bodyLimitBytes: number;
  takesMultipart: boolean;
}

/** Maps anything thrown in a route (GlanceError, fastify/multipart errors, bugs) to a status and a coded message. */
export function toHttpError(error: unknown, bodyLimit?: BodyLimitContext): HttpError {
  if (error instanceof GlanceError) return fromGlanceError(error);
  const fastifyError = (error ?? {}) as FastifyLikeError;
  const status = fastifyError.statusCode;
  const multipartLimit = fastifyError.code === undefined ? undefined : MULTIPART_LIMITS[fastifyError.code];
  if (multipartLimit !== undefined) return { status: 400, code: ErrorCode.InvalidInput, message: multipartLimit };
  if (status === 413 || fastifyError.code === 'FST_REQ_FILE_TOO_LARGE') {
    const limit = bodyLimit === undefined ? '' : ` (${mebibytes(bodyLimit.bodyLimitBytes)})`;
    if (fastifyError.code === 'FST_REQ_FILE_TOO_LARGE') {
      return { status: 413, code: ErrorCode.PayloadTooLarge, message: `the uploaded image is larger than this server accepts${limit}; send a smaller image` };
    }
    const base64Hint = bodyLimit?.takesMultipart ? ' (base64 in JSON makes an image a third larger than its file: upload the file as multipart/form-data)' : '';
    return { status: 413, code: ErrorCode.PayloadTooLarge, message: `the request body is larger than this server accepts${limit}; send a smaller image${base64Hint}` };
  }
  if (status === 415) {
    return { status: 415, code: ErrorCode.InvalidInput, message: 'send application/json or multipart/form-data' };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: ErrorCode.InvalidInput, message: fastifyError.message ?? 'invalid request' };
  }
  return { status: 500, code: ErrorCode.RuntimeFailure, message: CODE_ANSWERS[ErrorCode.RuntimeFailure].message! };
}

export function errorBody(error: HttpError): { error: { code: string; message: string; detail?: string } } {
  return { error: { code: error.code, message: error.message, ...(error.detail !== undefined ? { detail: error.detail } : {}) } };
}
