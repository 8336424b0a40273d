/**
 * Per-user admission: at most `maxRunning` requests at a time per user (running or queued; default 1), and at most
 * `perMinute` requests in any sliding minute. Refusals are RATE_LIMITED with a message the adapters can show as is.
 */
import { GlanceError, ErrorCode } from '../../engine/errors.ts';

const MINUTE_MS = 60_000;
/** The users remembered before the first prune; after a prune, twice those still remembered (amortised O(1) per admission). */
const MIN_PRUNE_AT = 1024;

export class UserRateLimiter {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #maxRunning: number;
  /** Requests in progress per user (only users with at least one). */
  readonly #active = new Map<string, number>();
  readonly #recent = new Map<string, number[]>();
  #pruneAt = MIN_PRUNE_AT;

  constructor(options: { perMinute: number; maxRunning?: number; now?: () => number }) {
    if (!Number.isInteger(options.perMinute) || options.perMinute < 1) {
      throw new GlanceError(ErrorCode.InvalidInput, `perUserPerMinute must be a positive integer (got ${options.perMinute})`);
    }
    const maxRunning = options.maxRunning ?? 1;
    if (!Number.isInteger(maxRunning) || maxRunning < 1) {
      throw new GlanceError(ErrorCode.InvalidInput, `maxRunningPerUser must be a positive integer (got ${maxRunning})`);
    }
    this.#perMinute = options.perMinute;
    this.#maxRunning = maxRunning;
    this.#now = options.now ?? Date.now;
  }

  /** Admits one request of `userId` or throws RATE_LIMITED; call the returned function when the request ends. */
  admit(userId: string): () => void {
    const running = this.#active.get(userId) ?? 0;
    if (running >= this.#maxRunning) {
      const message = this.#maxRunning === 1 ? 'you already have a request in progress; wait for it to finish' : `you already have ${running} requests in progress; wait for one to finish`;
      throw new GlanceError(ErrorCode.RateLimited, message, { userId, reason: 'concurrent' });
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
    // Every user id / client address ever seen would stay in #recent: forget the idle ones as the map grows.
    if (this.#recent.size >= this.#pruneAt) {
      this.prune();
      this.#pruneAt = Math.max(MIN_PRUNE_AT, 2 * this.#recent.size);
    }
    this.#active.set(userId, running + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#active.get(userId) ?? 1) - 1;
      if (left > 0) this.#active.set(userId, left);
      else this.#active.delete(userId);
    };
  }

  /** Users with a request in the last minute or in progress that the limiter remembers (tests, metrics). */
  get trackedUsers(): number {
    return this.#recent.size;
  }

  /**
   * Forgets users whose last request is over a minute old (keeps the map bounded by the active users); admissions
   * call it whenever the map has doubled since the last prune.
   */
  prune(): void {
    const now = this.#now();
    for (const [userId, recent] of this.#recent) {
      if (recent.every((at) => now - at >= MINUTE_MS) && !this.#active.has(userId)) this.#recent.delete(userId);
    }
  }
}
