/**
 * Per-user admission: one request at a time per user (running or queued), and at most `perMinute` requests in any
 * sliding minute. Refusals are RATE_LIMITED with a message the adapters can show as is.
 */
import { GlanceError, ErrorCode } from '../../engine/errors.ts';

const MINUTE_MS = 60_000;

export class UserRateLimiter {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #active = new Set<string>();
  readonly #recent = new Map<string, number[]>();

  constructor(options: { perMinute: number; now?: () => number }) {
    if (!Number.isInteger(options.perMinute) || options.perMinute < 1) {
      throw new GlanceError(ErrorCode.InvalidInput, `perUserPerMinute must be a positive integer (got ${options.perMinute})`);
    }
    this.#perMinute = options.perMinute;
    this.#now = options.now ?? Date.now;
  }

  /** Admits one request of `userId` or throws RATE_LIMITED; call the returned function when the request ends. */
  admit(userId: string): () => void {
    if (this.#active.has(userId)) {
      throw new GlanceError(ErrorCode.RateLimited, 'you already have a request in progress; wait for it to finish', { userId, reason: 'concurrent' });
    }
    const now = this.#now();
    const recent = (this.#recent.get(userId) ?? []).filter((at) => now - at < MINUTE_MS);
    if (recent.length >= this.#perMinute) {
      const retryAfterMs = MINUTE_MS - (now - recent[0]);
      throw new GlanceError(ErrorCode.RateLimited, `you sent ${recent.length} requests in the last minute; try again in ${Math.ceil(retryAfterMs / 1000)} s`, {
        userId,
        reason: 'per-minute',
        retryAfterMs,
      });
    }
    recent.push(now);
    this.#recent.set(userId, recent);
    this.#active.add(userId);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active.delete(userId);
    };
  }

  /** Forgets users whose last request is over a minute old (keeps the map bounded by the active users). */
  prune(): void {
    const now = this.#now();
    for (const [userId, recent] of this.#recent) {
      if (recent.every((at) => now - at >= MINUTE_MS) && !this.#active.has(userId)) this.#recent.delete(userId);
    }
  }
}
