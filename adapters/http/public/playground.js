// The glance playground: pick, drop or paste an image; its caption streams in (server-sent events read through
// fetch + ReadableStream); ask follow-up questions about the same image (it is sent again; the service's embedding
// cache makes that a hit); the per-stage timings and the cache status of the last request are shown. Ask is disabled
// while the caption streams (one request at a time per user: a question would cut the caption off).
'use strict';

const $ = (id) => document.getElementById(id);
let currentImage = null;
/** The request in flight ({ controller, output }): a new image or question cancels it (the server then stops its work). */
let inFlight = null;
/** Counts the captions started: a caption's end enables Ask only if no newer image replaced it. */
let captionRuns = 0;

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

function generationOptions() {
  const value = Number($('max-new-tokens').value);
  return Number.isInteger(value) && value > 0 ? { maxNewTokens: value } : {};
}

function showDetails(result) {
  $('cache-status').textContent = result.cacheHit
    ? `cache hit${result.prefixCacheHit ? ' (image prefix kept: only the question was prefilled)' : ''}`
    : 'cache miss';
  const body = $('timings').querySelector('tbody');
  body.replaceChildren();
  for (const [stage, ms] of Object.entries(result.timingsMs)) {
    const row = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = stage;
    const value = document.createElement('td');
    value.textContent = ms.toFixed(1);
    row.append(name, value);
    body.append(row);
  }
}

/** An Error carrying the API's error code. */
function apiError(error) {
  return Object.assign(new Error(`${error.message} [${error.code}]`), { code: error.code });
}

/** Parses a server-sent event block ("event: x\ndata: {...}") into { event, data }. */
function parseEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  return { event, data: data.length ? JSON.parse(data.join('\n')) : null };
}

/** POSTs the image (and question) to `path` as a stream; `onText` gets the text so far; resolves with the result. */
async function streamRequest(path, fields, onText, signal) {
  const form = new FormData();
  form.append('image', currentImage, currentImage.name || 'image');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('options', JSON.stringify(generationOptions()));
  const response = await fetch(path, { method: 'POST', body: form, headers: { accept: 'text/event-stream' }, signal });
  const type = response.headers.get('content-type') || '';
  if (!type.startsWith('text/event-stream')) {
    const body = await response.json().catch(() => null);
    if (body && body.error) throw apiError(body.error);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return body;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const { event, data } = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event === 'token') onText(data.text);
      else if (event === 'done') return data;
      else if (event === 'error') throw apiError(data.error);
    }
  }
  throw new Error('the stream ended without a result');
}

/** Cancels the request in flight, if any, leaving its output as far as it got; true if there was one. */
function cancelInFlight() {
  if (!inFlight) return false;
  inFlight.controller.abort();
  inFlight.output.setAttribute('aria-busy', 'false');
  inFlight.output.dataset.state = 'cancelled';
  inFlight = null;
  return true;
}

async function run(output, path, fields) {
  const cancelled = cancelInFlight();
  showError('');
  output.dataset.state = 'running';
  output.setAttribute('aria-busy', 'true');
  output.textContent = '';
  const controller = new AbortController();
  inFlight = { controller, output };
  try {
    const onText = (text) => { output.textContent = text; };
    let result;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await streamRequest(path, fields, onText, controller.signal);
        break;
      } catch (error) {
        // The request just cancelled may not have wound down on the server yet (one running request per user).
        if (!cancelled || error.code !== 'RATE_LIMITED' || attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    output.textContent = result.text;
    output.dataset.state = 'done';
    showDetails(result);
    return result;
  } catch (error) {
    if (controller.signal.aborted) return null; // a newer request owns the output now
    output.dataset.state = 'error';
    showError(error.message);
    return null;
  } finally {
    if (inFlight?.controller === controller) {
      inFlight = null;
      output.setAttribute('aria-busy', 'false');
    }
  }
}

function useImage(file) {
  if (!file || !file.type.startsWith('image/')) {
    showError('That is not an image file.');
    return;
  }
  currentImage = file;
  const preview = $('preview');
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(file);
  preview.alt = `The chosen image${file.name ? ` (${file.name})` : ''}`;
  preview.hidden = false;
  $('ask-button').disabled = true;
  $('answer').textContent = '';
  $('history').replaceChildren();
  const captionRun = ++captionRuns;
  run($('caption'), '/v1/caption', {}).then((result) => {
    if (result) preview.alt = result.text;
    if (captionRun === captionRuns) $('ask-button').disabled = false;
  });
}

$('image-input').addEventListener('change', (event) => useImage(event.target.files[0]));

const zone = $('drop-zone');
zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('dragging'); });
zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
zone.addEventListener('drop', (event) => {
  event.preventDefault();
  zone.classList.remove('dragging');
  useImage(event.dataTransfer.files[0]);
});
document.addEventListener('paste', (event) => {
  const item = [...(event.clipboardData?.items || [])].find((entry) => entry.type.startsWith('image/'));
  if (item) useImage(item.getAsFile());
});

$('ask-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = $('question').value.trim();
  if (!currentImage || !question || $('ask-button').disabled) return;
  const result = await run($('answer'), '/v1/ask', { question });
  if (result) {
    const entry = document.createElement('li');
    entry.textContent = `${question} — ${result.text}`;
    $('history').prepend(entry);
  }
});
