/**
 * A fetch for @huggingface/hub's calls that gives up on a stalled connection: when no response, or no body bytes,
 * arrive for `stallMs`, the request is aborted with an error naming the wait. A slow but moving download is never
 * cut; a hung one fails (and resumes on the next run) instead of holding start-up forever.
 */
export function stallTimeoutFetch(stallMs: number, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Error(`no data from the server for ${stallMs / 1000} s`)), stallMs);
      timer.unref();
    };
    arm();
    const signal = init?.signal ? AbortSignal.any([controller.signal, init.signal]) : controller.signal;
    let response: Response;
    try {
      response = await base(input, { ...init, signal });
    } catch (error) {
      clearTimeout(timer);
      throw controller.signal.aborted ? controller.signal.reason : error;
    }
    if (!response.body) {
      clearTimeout(timer);
      return response;
    }
    arm();
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, sink) {
        arm();
        sink.enqueue(chunk);
      },
      flush() {
        clearTimeout(timer);
      },
    }));
    const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    // The library reads `url` to keep a redirect's target (a CDN) for the next range requests.
    Object.defineProperty(wrapped, 'url', { value: response.url });
    return wrapped;
  };
}
