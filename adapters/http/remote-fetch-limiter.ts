/**
 * Remote image downloads happen before the service admits the request (it needs the bytes), so its busy and per-user
 * limits cannot bound them. This bounds them here: at most `maxTotal` downloads at once over all clients (more →
 * BUSY, 503), and per client at most `maxPerClient` remote-image requests at a time (the service's own per-user bound,
 * GLANCE_USER_MAX_RUNNING), each held until its answer is sent (more → RATE_LIMITED, 429), so one client cannot start
 * many downloads of up to the body limit each.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

/** Remote image downloads at once over all clients. */
export const MAX_REMOTE_FETCHES = 4;

export interface RemoteFetchSlot {
  /** The download is over (done or failed): frees its place in the global bound. Idempotent. */
  fetched(): void;
  /** The request is over: frees the client's place too (and the global one if still held). Idempotent. */
  release(): void;
}

export class RemoteFetchLimiter {
  readonly #maxTotal: number;
  readonly #maxPerClient: number;
  readonly #clients = new Map<string, number>();
  #fetching = 0;

  constructor(options: { maxPerClient: number; maxTotal?: number }) {
    this.#maxTotal = options.maxTotal ?? MAX_REMOTE_FETCHES;
    this.#maxPerClient = options.maxPerClient;
  }

  /** Claims a download for `clientId`, or throws RATE_LIMITED (the client has its share) or BUSY (all downloads taken). */
  acquire(clientId: string): RemoteFetchSlot {
    const held = this.#clients.get(clientId) ?? 0;
    if (held >= this.#maxPerClient) {
      const what = this.#maxPerClient === 1 ? 'a request with a remote image' : `${held} requests with remote images`;
      throw new GlanceError(ErrorCode.RateLimited, `you already have ${what} in progress; wait for it to finish`, { reason: 'remote-fetch' });
    }
    if (this.#fetching >= this.#maxTotal) {
      throw new GlanceError(ErrorCode.Busy, `glance is downloading ${this.#fetching} remote images already; try again in a moment, or send the image as a data: URL`, { fetching: this.#fetching });
    }
    this.#fetching++;
    this.#clients.set(clientId, held + 1);
    let fetching = true;
    let holding = true;
    const fetched = () => {
      if (!fetching) return;
      fetching = false;
      this.#fetching--;
    };
    return {
      fetched,
      release: () => {
        fetched();
        if (!holding) return;
        holding = false;
        const left = (this.#clients.get(clientId) ?? 1) - 1;
        if (left > 0) this.#clients.set(clientId, left);
        else this.#clients.delete(clientId);
      },
    };
  }

  /** Downloads in progress. */
  get fetching(): number {
    return this.#fetching;
  }
}
