/**
 * One request's end conditions: the asker's AbortSignal and its deadline, as one signal, and the coded error that
 * says which of them fired (ABORTED or DEADLINE_EXCEEDED).
 */
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import { MAX_TIMER_MS } from '../config/config-variables.ts';

/** The longest deadline: the longest delay a Node.js timer takes (a longer one would fire after 1 ms). */
export const MAX_DEADLINE_MS = MAX_TIMER_MS;

export class RequestDeadline {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** performance.now() when the deadline passes. */
  readonly deadlineAt: number;
  readonly #deadline: AbortSignal;

  constructor(timeoutMs: number, signal?: AbortSignal) {
    if (!(timeoutMs > 0) || !(timeoutMs <= MAX_DEADLINE_MS)) {
      throw new GlanceError(ErrorCode.InvalidInput, `timeoutMs must be a positive number of milliseconds up to ${MAX_DEADLINE_MS} (got ${timeoutMs})`);
    }
    this.timeoutMs = timeoutMs;
    this.deadlineAt = performance.now() + timeoutMs;
    this.#deadline = AbortSignal.timeout(timeoutMs);
    this.signal = signal ? AbortSignal.any([signal, this.#deadline]) : this.#deadline;
  }

  /** The error for the request once `signal` has fired. */
  error(): GlanceError {
    if (this.#deadline.aborted) return new GlanceError(ErrorCode.DeadlineExceeded, `the request did not finish within ${this.timeoutMs} ms`);
    return new GlanceError(ErrorCode.Aborted, 'the request was cancelled');
  }

  /** Rejects with `error()` when the signal fires (never resolves); `stop` detaches it when the request ends. */
  whenEnded(): { ended: Promise<never>; stop: () => void } {
    let stop = () => {};
    const ended = new Promise<never>((_, reject) => {
      if (this.signal.aborted) return reject(this.error());
      const onAbort = () => reject(this.error());
      this.signal.addEventListener('abort', onAbort, { once: true });
      stop = () => this.signal.removeEventListener('abort', onAbort);
    });
    ended.catch(() => {});
    return { ended, stop };
  }
}
