/**
 * Error codes → HTTP statuses, in one table, and the one JSON error shape every route answers with:
 * `{ "error": { "code", "message" } }`. Fastify's own errors (body too large, bad JSON, unsupported content type,
 * multipart limits) are turned into coded errors here too.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.GenerationUnsupportedOption]: 400,
  [ErrorCode.GenerationInvalidOption]: 400,
  [ErrorCode.NoImage]: 400,
  [ErrorCode.ModelKindMismatch]: 400,
  [ErrorCode.ImageEmpty]: 400,
  [ErrorCode.RemoteImageRefused]: 403,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.ImageTooLarge]: 413,
  [ErrorCode.ImageUnsupported]: 415,
  [ErrorCode.ImageCorrupt]: 422,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Busy]: 503,
  [ErrorCode.EngineCrashed]: 503,
  [ErrorCode.Aborted]: 503,
  [ErrorCode.ModelUnavailable]: 503,
  [ErrorCode.DeadlineExceeded]: 504,
};

/** Seconds a client should wait before retrying, for the codes that mean "try again later" (unless the error says). */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Busy]: 5,
  [ErrorCode.RateLimited]: 10,
  [ErrorCode.EngineCrashed]: 5,
};

export interface HttpError {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Maps anything thrown in a route (GlanceError, fastify/multipart errors, bugs) to a status and a coded message. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof GlanceError) {
    const status = STATUS[error.code] ?? 500;
    const retryAfterMs = error.details?.retryAfterMs;
    const retryAfterSeconds = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : RETRY_AFTER_SECONDS[error.code];
    return { status, code: error.code, message: error.message, retryAfterSeconds };
  }
  const fastifyError = (error ?? {}) as FastifyLikeError;
  const status = fastifyError.statusCode;
  if (status === 413 || fastifyError.code === 'FST_REQ_FILE_TOO_LARGE') {
    return { status: 413, code: ErrorCode.PayloadTooLarge, message: 'the request body is larger than the limit (GLANCE_HTTP_BODY_LIMIT_MB)' };
  }
  if (status === 415) {
    return { status: 415, code: ErrorCode.InvalidInput, message: 'send application/json or multipart/form-data' };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: ErrorCode.InvalidInput, message: fastifyError.message ?? 'invalid request' };
  }
  return { status: 500, code: ErrorCode.RuntimeFailure, message: 'internal error' };
}

export function errorBody(error: HttpError): { error: { code: string; message: string } } {
  return { error: { code: error.code, message: error.message } };
}
