// The playground's requests to the API: a multipart POST answered with server-sent events (read through fetch +
// ReadableStream), or with the API's JSON error; anything else (a server gone, a proxy's page) becomes an error in words.

/** An Error carrying the API's error code. */
function apiError(error) {
  return Object.assign(new Error(error.code ? `${error.message} [${error.code}]` : error.message), { code: error.code });
}

/** Whether `body` is the API's error JSON ({"error": {"code", "message"}}). */
const isApiError = (body) => typeof body?.error?.message === 'string';

const UNREACHABLE = 'Could not reach the glance server: it may have stopped. Check that glance is still running (npm start), then try again.';
const UNREADABLE = 'The server sent a streamed message the page could not read; try again, and if it persists look at the glance server\'s log.';
const CONNECTION_LOST = 'The connection to the glance server was lost before the answer was finished (the server may have stopped); the text so far is shown. Check that glance is still running, then try again.';

/** The error for a response that is neither the answer nor one of the API's JSON errors (e.g. from a proxy). */
function unexpectedResponse(response) {
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status === 503) {
    // A server shutting down answers its open connections so (glance, or a proxy in front of it).
    return new Error(`The glance server is not taking requests (HTTP ${status}): it may be shutting down or restarting. Try again in a moment; if it persists, check that glance is running.`);
  }
  return new Error(`The server answered HTTP ${status} without saying why; try again, and if it persists look at the glance server's log.`);
}

/** Parses a server-sent event block ("event: x\ndata: {...}") into { event, data }. */
function parseEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  try {
    return { event, data: data.length ? JSON.parse(data.join('\n')) : null };
  } catch {
    throw new Error(UNREADABLE);
  }
}

/**
 * POSTs `form` (multipart: the image, the question, the options) to `path` asking for a stream; `onText` gets the text
 * so far, `onStage` each stage the server reports (`event: stage`, when the form asks for progress); resolves with the
 * result. Every failure is an Error whose message says in words what happened and what to do (with the API's `code`
 * when the API sent one).
 */
export async function streamRequest(path, form, { onText, onStage = () => {} }, signal) {
  let response;
  try {
    response = await fetch(path, { method: 'POST', body: form, headers: { accept: 'text/event-stream' }, signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(UNREACHABLE);
  }
  const type = response.headers.get('content-type') || '';
  if (!type.startsWith('text/event-stream')) {
    const body = await response.json().catch(() => null);
    if (isApiError(body)) throw apiError(body.error);
    if (!response.ok || !body || typeof body.text !== 'string') throw unexpectedResponse(response);
    return body;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (signal.aborted) throw error;
      throw new Error(CONNECTION_LOST);
    }
    const { value, done } = chunk;
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const { event, data } = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event === 'token') onText(data.text);
      else if (event === 'stage') onStage(data.stage);
      else if (event === 'done') return data;
      else if (event === 'error') throw isApiError(data) ? apiError(data.error) : new Error(UNREADABLE);
    }
  }
  throw new Error(CONNECTION_LOST);
}
