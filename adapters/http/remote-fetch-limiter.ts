/**
 * Remote image downloads happen before the service admits the request (it needs the bytes), so its busy and per-user
 * limits cannot bound them. This bounds them here: at most `maxTotal` downloads at once over all clients (more →
 * BUSY, 503), and one remote-image request per client at a time, held until its answer is sent (another → RATE_LIMITED,
 * 429), so one client cannot start many downloads of up to the body limit each.
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
  readonly #clients = new Set<string>();
  #fetching = 0;

  constructor(maxTotal = MAX_REMOTE_FETCHES) {
    this.#maxTotal = maxTotal;
  }

  /** Claims a download for `clientId`, or throws RATE_LIMITED (the client has one) or BUSY (all downloads taken). */
  acquire(clientId: string): RemoteFetchSlot {
    if (this.#clients.has(clientId)) {
      throw new GlanceError(ErrorCode.RateLimited, 'you already have a request with a remote image in progress; wait for it to finish', { reason: 'remote-fetch' });
    }
    if (this.#fetching >= this.#maxTotal) {
      throw new GlanceError(ErrorCode.Busy, `glance is downloading ${this.#fetching} remote images already; try again in a moment, or send the image as a data: URL`, { fetching: this.#fetching });
    }
    this.#fetching++;
    this.#clients.add(clientId);
    let fetching = true;
    let held = true;
    const fetched = () => {
      if (!fetching) return;
      fetching = false;
      this.#fetching--;
    };
    return {
      fetched,
      release: () => {
        fetched();
        if (!held) return;
        held = false;
        this.#clients.delete(clientId);
      },
    };
  }

  /** Downloads in progress (for tests and health). */
  get fetching(): number {
    return this.#fetching;
  }
}
