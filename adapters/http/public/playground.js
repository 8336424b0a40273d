// The glance playground: pick, drop or paste an image; its caption streams in (server-sent events read through
// fetch + ReadableStream); ask follow-up questions about the same image (it is sent again; the service's embedding
// cache makes that a hit); the per-stage timings and the cache status of the last request are shown. Ask is disabled
// while the caption streams (one request at a time per user: a question would cut the caption off).
import { streamRequest } from './stream-request.js';
import { characters, limitQuestionBox } from './question-box.js';

const $ = (id) => document.getElementById(id);
let currentImage = null;
/** The request in flight ({ controller, output }): a new image or question cancels it (the server then stops its work). */
let inFlight = null;
/** Counts the captions started: a caption's end enables Ask only if no newer image replaced it. */
let captionRuns = 0;

/**
 * Shows `message` in the alert (empty: hides it), placed right after `near` (the output the error is about) and
 * scrolled into view: on a phone the end of the page is screens away from the caption.
 */
function showError(message, near = $('caption')) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
  if (!message) return;
  if (box.previousElementSibling !== near) near.after(box);
  box.scrollIntoView({ block: 'nearest' });
}

/** Says, in the live help under the question box, what the user can do next (read by screen readers). */
function showAskHelp(message) {
  $('ask-help').textContent = message;
}

/**
 * The generation options from the form. An empty "Max new tokens" leaves the server's default; anything else must be
 * a whole number from 1 to the server's limit (GLANCE_MAX_NEW_TOKENS, the field's max); a value the page cannot send is
 * refused in words, never replaced by the default.
 */
function generationOptions() {
  const field = $('max-new-tokens');
  if (field.value === '' && !field.validity.badInput) return {};
  const value = Number(field.value);
  const max = Number(field.max);
  if (field.validity.badInput || !Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`Max new tokens must be a whole number from 1 to ${max}, this server's limit (it is "${field.value || 'not a number'}"); correct it, or empty it for the server's default, and try again.`);
  }
  return { maxNewTokens: value };
}

function clearDetails() {
  $('cache-status').textContent = '–';
  $('timings').querySelector('tbody').replaceChildren();
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

/** Cancels the request in flight, if any, leaving its output as far as it got; true if there was one. */
function cancelInFlight() {
  if (!inFlight) return false;
  inFlight.controller.abort();
  inFlight.output.setAttribute('aria-busy', 'false');
  inFlight.output.dataset.state = 'cancelled';
  inFlight = null;
  return true;
}

/** Codes that refuse the image itself: asking about the same image would be refused the same way. */
const IMAGE_REFUSALS = new Set(['NO_IMAGE', 'IMAGE_EMPTY', 'IMAGE_TOO_LARGE', 'IMAGE_UNSUPPORTED', 'IMAGE_CORRUPT', 'PAYLOAD_TOO_LARGE']);

async function run(output, path, fields) {
  const cancelled = cancelInFlight();
  showError('');
  clearDetails();
  output.dataset.errorCode = '';
  let options;
  try {
    options = generationOptions();
  } catch (error) {
    output.textContent = '';
    output.dataset.state = 'error';
    showError(error.message, output);
    return null;
  }
  const form = new FormData();
  form.append('image', currentImage, currentImage.name || 'image');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('options', JSON.stringify(options));
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
        result = await streamRequest(path, form, onText, controller.signal);
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
    output.dataset.errorCode = error.code || '';
    showError(error.message, output);
    return null;
  } finally {
    if (inFlight?.controller === controller) {
      inFlight = null;
      output.setAttribute('aria-busy', 'false');
    }
  }
}

function useImage(file) {
  // A file whose type the browser does not know (no or an unknown extension: no type, or application/octet-stream)
  // goes to the server, which reads its bytes.
  const unknownType = !file?.type || file.type === 'application/octet-stream';
  if (!file || (!unknownType && !file.type.startsWith('image/'))) {
    const what = file ? `"${file.name}" (${file.type}) is not an image file` : 'That was not an image file';
    showError(`${what}; choose a JPEG, PNG, WebP, GIF or TIFF image.`);
    return;
  }
  currentImage = file;
  const preview = $('preview');
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(file);
  preview.alt = `The chosen image${file.name ? ` (${file.name})` : ''}`;
  preview.hidden = false;
  $('ask-button').disabled = true;
  showAskHelp('You can ask once the caption is done.');
  $('answer').textContent = '';
  $('answer').dataset.state = 'idle';
  $('history').replaceChildren();
  const captionRun = ++captionRuns;
  run($('caption'), '/v1/caption', {}).then((result) => {
    if (result) preview.alt = result.text;
    if (captionRun !== captionRuns) return;
    if (!result && IMAGE_REFUSALS.has($('caption').dataset.errorCode)) {
      showAskHelp('This image was refused (see the message under the caption): choose another image to ask about.');
      return;
    }
    $('ask-button').disabled = false;
    showAskHelp('Type a question and press Enter or Ask.');
  });
}

$('image-input').addEventListener('change', (event) => {
  const file = event.target.files[0];
  // Emptied so that choosing the same file again (after an error, or to start over) is a change too.
  event.target.value = '';
  useImage(file);
});

// An image dropped anywhere on the page is used (a drop outside the zone would otherwise make the browser leave the
// page to show the file). Other drags (text into the question box) keep the browser's behaviour.
const zone = $('drop-zone');
const types = (event) => [...(event.dataTransfer?.types || [])];
/** A drag of files, or of a link (an image dragged from another page may carry only its address) outside the question box. */
const isOurs = (event) => types(event).includes('Files') || (types(event).includes('text/uri-list') && event.target !== $('question'));
document.addEventListener('dragover', (event) => {
  if (!isOurs(event)) return;
  event.preventDefault();
  zone.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (!event.relatedTarget) zone.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  zone.classList.remove('dragging');
  if (!isOurs(event)) return;
  event.preventDefault();
  const { files } = event.dataTransfer;
  if (files.length === 0) {
    showError('That was a link, not an image file: save the image and choose it, or copy the image and paste it here (Ctrl+V / ⌘V).');
  } else if (files.length > 1) {
    showError(`${files.length} files were dropped; drop one image at a time.`);
  } else {
    useImage(files[0]);
  }
});
document.addEventListener('paste', (event) => {
  // Text pasted into the question box stays text, even when the clipboard also holds a picture of it (a spreadsheet's
  // cells, a word processor's selection): it must not replace the image being asked about.
  if (event.target === $('question') && event.clipboardData?.types.includes('text/plain')) return;
  const files = [...(event.clipboardData?.items || [])].filter((entry) => entry.kind === 'file');
  // An image, else a file of another kind (said to be no image, or sent when its type is unknown); text is left alone.
  const item = files.find((entry) => entry.type.startsWith('image/')) || files[0];
  if (item) useImage(item.getAsFile());
});

const questionBox = $('question');
const MAX_QUESTION_CHARS = limitQuestionBox(questionBox, $('question-count'), showAskHelp);
// Enter in the question box does nothing while Ask is disabled (the browser does not submit); say why instead.
questionBox.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || !$('ask-button').disabled) return;
  if (!currentImage) showAskHelp('Choose an image first: you can ask about it once its caption is done.');
  else if ($('caption').dataset.state === 'running') showAskHelp('Wait for the caption to finish: you can ask once it is done.');
  else showAskHelp('This image was refused (see the message under the caption): choose another image to ask about.');
});

$('ask-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = $('question').value.trim();
  if ($('ask-button').disabled) return;
  if (!currentImage) return showError('Choose an image first, then ask about it.', $('answer'));
  if (!question) return showError('Type a question first (it is empty).', $('answer'));
  if (characters(question) > MAX_QUESTION_CHARS) {
    return showError(`The question is ${characters(question)} characters long; this server takes up to ${MAX_QUESTION_CHARS}: shorten it.`, $('answer'));
  }
  const result = await run($('answer'), '/v1/ask', { question });
  if (result) {
    const entry = document.createElement('li');
    entry.textContent = `${question} — ${result.text}`;
    $('history').prepend(entry);
  }
});
