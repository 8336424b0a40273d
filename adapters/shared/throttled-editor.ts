/**
 * Streams a growing text into one message (a Discord reply, a Slack chat.update) by editing it at most once per
 * `intervalMs` (one edit a second, as both platforms ask). `update` records the latest text and schedules an edit
 * no sooner than `intervalMs` after the start or the last edit; `finish` sends the final text (waiting out the
 * interval if an edit was just sent). Edits never overlap. A failed intermediate edit is reported to `onError` and
 * streaming stops; the final edit's failure is thrown.
 */
export interface Clock {
  now(): number;
  /** Runs `callback` after `ms`; returns a function that cancels it. */
  schedule(callback: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  schedule(callback, ms) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export interface ThrottledEditorOptions {
  send: (text: string) => Promise<void>;
  intervalMs?: number;
  clock?: Clock;
  onError?: (error: unknown) => void;
}

export class ThrottledEditor {
  readonly #send: (text: string) => Promise<void>;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  #lastSentAt: number;
  #lastSent: string | undefined;
  #latest: string | undefined;
  #cancelTimer: (() => void) | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #finished = false;
  #broken = false;

  constructor(options: ThrottledEditorOptions) {
    this.#send = options.send;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#clock = options.clock ?? realClock;
    this.#onError = options.onError ?? (() => {});
    this.#lastSentAt = this.#clock.now();
  }

  /** How many edits were sent (intermediate and final). */
  sent = 0;

  update(text: string): void {
    if (this.#finished || this.#broken) return;
    this.#latest = text;
    if (this.#cancelTimer) return;
    const wait = Math.max(0, this.#lastSentAt + this.#intervalMs - this.#clock.now());
    this.#cancelTimer = this.#clock.schedule(() => {
      this.#cancelTimer = undefined;
      const text = this.#latest;
      if (this.#finished || text === undefined || text === this.#lastSent) return;
      this.#inFlight = this.#inFlight.then(() => this.#sendNow(text)).catch((error) => {
        this.#broken = true;
        this.#onError(error);
      });
    }, wait);
  }

  /** Sends `text` as the final edit (unless it is what was last sent) and resolves when it is sent. */
  async finish(text: string): Promise<void> {
    this.#finished = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.#inFlight;
    if (text === this.#lastSent) return;
    const wait = this.sent === 0 ? 0 : this.#lastSentAt + this.#intervalMs - this.#clock.now();
    if (wait > 0) await new Promise<void>((resolve) => this.#clock.schedule(resolve, wait));
    await this.#sendNow(text);
  }

  /** Stops any scheduled edit (the work failed; the caller reports the error its own way). */
  async cancel(): Promise<void> {
    this.#finished = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.#inFlight;
  }

  async #sendNow(text: string): Promise<void> {
    this.#lastSentAt = this.#clock.now();
    this.#lastSent = text;
    this.sent++;
    await this.#send(text);
  }
}
