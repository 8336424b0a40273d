/**
 * Coded errors of the engine. Every failure a caller can act on carries a stable `code`; adapters map codes
 * to user text in one table, logs keep `message` and `details`.
 */
export const ErrorCode = {
  ImageEmpty: 'IMAGE_EMPTY',
  ImageUnsupported: 'IMAGE_UNSUPPORTED',
  ImageCorrupt: 'IMAGE_CORRUPT',
  ImageTooLarge: 'IMAGE_TOO_LARGE',
  CheckpointMissingFile: 'CHECKPOINT_MISSING_FILE',
  CheckpointUnsupportedModel: 'CHECKPOINT_UNSUPPORTED_MODEL',
  CheckpointCorrupt: 'CHECKPOINT_CORRUPT',
  CheckpointShapeMismatch: 'CHECKPOINT_SHAPE_MISMATCH',
  CheckpointInvalidConfig: 'CHECKPOINT_INVALID_CONFIG',
  BundleInvalid: 'BUNDLE_INVALID',
  ProviderUnavailable: 'PROVIDER_UNAVAILABLE',
  OutputExists: 'OUTPUT_EXISTS',
  GenerationUnsupportedOption: 'GENERATION_UNSUPPORTED_OPTION',
  GenerationInvalidOption: 'GENERATION_INVALID_OPTION',
  InvalidInput: 'INVALID_INPUT',
  /** The bundle is of the other kind: generation on a retrieval (ITM) model, or matching/embedding on a generative one. */
  ModelKindMismatch: 'MODEL_KIND_MISMATCH',
  Aborted: 'ABORTED',
  DeadlineExceeded: 'DEADLINE_EXCEEDED',
  RuntimeFailure: 'RUNTIME_FAILURE',
  /** The engine worker died; the request failed and the worker is being restarted. */
  EngineCrashed: 'ENGINE_CRASHED',
  // Service-level codes (src/ and adapters/), in the same vocabulary so adapters map every code in one table.
  /** The request queue is full: try again later. */
  Busy: 'BUSY',
  /** The user has a request running already, or sent too many in the last minute. */
  RateLimited: 'RATE_LIMITED',
  /** A configuration value (environment variable, .env, flag) is invalid. */
  ConfigInvalid: 'CONFIG_INVALID',
  /** A service glance talks to (Discord's or Slack's API) gave no answer at all: connection refused, DNS failure, timeout. */
  NetworkUnreachable: 'NETWORK_UNREACHABLE',
  /** No model is configured or it cannot be found/downloaded. */
  ModelUnavailable: 'MODEL_UNAVAILABLE',
  /** There is no image the question could be about. */
  NoImage: 'NO_IMAGE',
  /** A request body, upload or text above the configured limit. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** A remote image URL that the configuration does not allow (remote fetching off, or a private/loopback address). */
  RemoteImageRefused: 'REMOTE_IMAGE_REFUSED',
  /** An HTTP request the local server refuses to serve: sent by another web site, or for a host name it does not answer to. */
  RequestRefused: 'REQUEST_REFUSED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class GlanceError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GlanceError';
    this.code = code;
    this.details = details;
  }

  /** A plain object that survives structured cloning across worker_threads. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** Rebuilds a GlanceError from its `toJSON()` form (used on the far side of a worker boundary). */
export function glanceErrorFromJSON(value: { code: ErrorCode; message: string; details?: Record<string, unknown> }): GlanceError {
  return new GlanceError(value.code, value.message, value.details);
}

/**
 * The error with names in its message replaced (`renames`: name → text; the same error when none occurs), so it
 * speaks the caller's terms: an engine option by the flag or request field the caller typed, a variable by the flag
 * that set it. Whole names only: a name inside a longer word or a hyphenated flag is left alone.
 */
export function withRenamedTerms(error: GlanceError, renames: Readonly<Record<string, string>>): GlanceError {
  let message = error.message;
  for (const [name, text] of Object.entries(renames)) message = message.replace(new RegExp(`(?<![\\w-])${name}(?![\\w-])`, 'g'), text);
  return message === error.message ? error : new GlanceError(error.code, message, error.details, { cause: error });
}
