/**
 * Runs each user's glance work one job at a time, in arrival order: the service admits one request per user at a
 * time, so a second image or message from the same person waits its turn instead of being refused. A user with
 * `maxPending` jobs already waiting is refused with RATE_LIMITED (the per-user cap on abuse).
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

export class UserWorkQueue {
  readonly #maxPending: number;
  readonly #tails = new Map<string, { tail: Promise<unknown>; pending: number }>();

  constructor(maxPending = 5) {
    this.#maxPending = maxPending;
  }

  run<T>(userId: string, job: () => Promise<T>): Promise<T> {
    const entry = this.#tails.get(userId) ?? { tail: Promise.resolve(), pending: 0 };
    if (entry.pending >= this.#maxPending) {
      return Promise.reject(new GlanceError(ErrorCode.RateLimited, `you have ${entry.pending} requests waiting already; wait for them to finish`, { userId, reason: 'queued' }));
    }
    entry.pending++;
    const result = entry.tail.then(job, job);
    entry.tail = result.catch(() => {}).finally(() => {
      entry.pending--;
      if (entry.pending === 0 && this.#tails.get(userId) === entry) this.#tails.delete(userId);
    });
    this.#tails.set(userId, entry);
    return result;
  }
}
