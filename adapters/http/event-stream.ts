/**
 * Server-sent events on a raw Node response. Headers go out with the first event, so an error that happens before
 * anything was streamed (busy, rate limited, bad image) can still be answered with its proper status and JSON body.
 */
import type { ServerResponse } from 'node:http';

export class EventStream {
  readonly #response: ServerResponse;
  #started = false;

  constructor(response: ServerResponse) {
    this.#response = response;
  }

  get started(): boolean {
    return this.#started;
  }

  /** Whether the client is gone (nothing more can be written). */
  get closed(): boolean {
    return this.#response.destroyed || this.#response.writableEnded;
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
  }

  /** A named event (`event: name`) with a JSON payload. */
  event(name: string, data: unknown): void {
    if (this.closed) return;
    this.#start();
    this.#response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** An unnamed `data:` line (OpenAI-style streams); strings are written as they are. */
  data(data: unknown): void {
    if (this.closed) return;
    this.#start();
    this.#response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.closed) this.#response.end();
  }
}

/** Whether the Accept header asks for `text/event-stream`. */
export function acceptsEventStream(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.trim().toLowerCase().startsWith('text/event-stream'));
}
