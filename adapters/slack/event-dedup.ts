/**
 * Remembers the `event_id`s of Events API deliveries already handled, so a retried delivery (Slack retries an
 * event it thinks was not acknowledged: at once, after about a minute and after about five minutes, with
 * X-Slack-Retry-Num over HTTP or retry_attempt in Socket Mode) never produces a second reply. Bounded: entries
 * older than `ttlMs` (default 70 minutes, beyond Slack's retry schedule) are dropped, and beyond `maxEntries`
 * (default 50 000) the oldest are forgotten first.
 */
export const DEFAULT_DEDUP_TTL_MS = 70 * 60_000;
export const DEFAULT_DEDUP_MAX_ENTRIES = 50_000;

export interface EventDeduplicatorOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** Clock in ms (tests); default Date.now. */
  now?: () => number;
}

export class EventDeduplicator {
  /** event id → when first seen; insertion order = oldest first. */
  readonly #seen = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: EventDeduplicatorOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_DEDUP_TTL_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_DEDUP_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  /** True the first time `eventId` is offered (within the TTL), false for a repeat. */
  firstDelivery(eventId: string): boolean {
    const now = this.#now();
    this.#expire(now);
    if (this.#seen.has(eventId)) return false;
    this.#seen.set(eventId, now);
    while (this.#seen.size > this.#maxEntries) this.#seen.delete(this.#seen.keys().next().value as string);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #expire(now: number): void {
    const oldest = now - this.#ttlMs;
    for (const [id, at] of this.#seen) {
      if (at > oldest) break;
      this.#seen.delete(id);
    }
  }
}
