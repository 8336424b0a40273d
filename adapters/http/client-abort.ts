/** An AbortSignal that fires when the HTTP client goes away before its response is complete. */
import type { ServerResponse } from 'node:http';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

export function abortWhenClientLeaves(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort(new GlanceError(ErrorCode.Aborted, 'the client went away'));
  });
  return controller.signal;
}
