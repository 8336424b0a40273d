/**
 * Hub failures as MODEL_UNAVAILABLE errors that say what to do: an unknown repo or revision, a gated or private repo
 * without a token, a network failure (with the hint that running again resumes). A model value is only read as a Hub
 * id when no such local folder exists, so "not found" and "refused" also say that: a mistyped local path such as
 * `bundles/blip2-q4` looks like `owner/name`.
 */
import { HubApiError } from '@huggingface/hub';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';

export function hubError(error: unknown, context: { repo: string; revision: string; hubUrl: string; file?: string }): GlanceError {
  if (error instanceof GlanceError) return error;
  const what = context.file ? `${context.file} of ${context.repo}@${context.revision}` : `${context.repo}@${context.revision}`;
  const noFolder = `(and there is no folder ./${context.repo} here)`;
  if (error instanceof HubApiError) {
    // The Hub answers 401 "Repository not found" for a repo that does not exist or that the caller may not see.
    const notFound = error.statusCode === 404 || (error.statusCode === 401 && /not found/i.test(error.message));
    if (notFound) {
      return new GlanceError(ErrorCode.ModelUnavailable, `The Hub at ${context.hubUrl} has no model ${what} ${noFolder} (or it is private: then set HF_TOKEN). Check the id (owner/name, e.g. Salesforce/blip2-opt-2.7b) and the revision after '@'.`, { repo: context.repo, revision: context.revision, status: error.statusCode }, { cause: error });
    }
    if (error.statusCode === 401 || error.statusCode === 403) {
      return new GlanceError(ErrorCode.ModelUnavailable, `The Hub refused access to ${what} ${noFolder} (HTTP ${error.statusCode}). For a private or gated model set HF_TOKEN to a token that may read it (and accept the model's terms on its page).`, { repo: context.repo, revision: context.revision, status: error.statusCode }, { cause: error });
    }
    return new GlanceError(ErrorCode.ModelUnavailable, `The Hub at ${context.hubUrl} answered HTTP ${error.statusCode} for ${what}: ${error.message}. Try again later; finished files are kept and a partial one resumes.`, { repo: context.repo, revision: context.revision, status: error.statusCode }, { cause: error });
  }
  const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
  return new GlanceError(ErrorCode.ModelUnavailable, `Could not download ${what} from ${context.hubUrl}: ${message}. Check the network (or HF_ENDPOINT) and run again; finished files are kept and a partial one resumes.`, { repo: context.repo, revision: context.revision }, { cause: error });
}
