// The glance playground: pick, drop or paste an image (its name is shown); its caption streams in (server-sent events
// read through fetch + ReadableStream), with the request's stage and elapsed seconds; the caption is the image's alt
// text, shown as a screen reader gets it, with a copy button; ask follow-up questions about the same image (it is sent
// again; the service's embedding cache makes that a hit), the questions and answers shown as a conversation; the
// per-stage timings and the cache status of the last request are shown. Ask is disabled while the caption streams
// (one request at a time per user: a question would cut the caption off). A refused file clears the image before it.
import { streamRequest } from './stream-request.js';
import { characters, limitQuestionBox } from './question-box.js';
import { displayText } from './display-text.js';
import { createProgressLine } from './progress-line.js';
import { createConversation } from './conversation.js';
import { createAltTextView } from './alt-text-view.js';
import { listenForImages } from './image-sources.js';
import { clearDetails, showDetails } from './request-details.js';

const $ = (id) => document.getElementById(id);
const CAPTION_PROMPT = 'Choose an image to caption it.';
const REFUSED_HELP = 'This image was refused (see the message under the caption): choose another image to ask about.';
let currentImage = null;
/** The image was refused (by the page or the server): asking about it would be refused the same way. */
let imageRefused = false;
/** The request in flight ({ controller, output, progress }): a new image or question cancels it (the server then stops its work). */
let inFlight = null;
/** Counts the images used: a caption's end enables Ask only if no newer image replaced it. */
let captionRuns = 0;
const captionProgress = createProgressLine($('caption-progress'));
const answerProgress = createProgressLine($('answer-progress'));
const conversation = createConversation($('conversation'));
const altText = createAltTextView({ text: $('alt-text'), help: $('alt-text-help'), copy: $('copy-alt-text'), status: $('copy-status') });

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

/** Cancels the request in flight, if any, leaving its output as far as it got; true if there was one. */
function cancelInFlight() {
  if (!inFlight) return false;
  inFlight.controller.abort();
  inFlight.output.setAttribute('aria-busy', 'false');
  inFlight.output.dataset.state = 'cancelled';
  inFlight.progress.clear();
  inFlight = null;
  return true;
}

/** Codes that refuse the image itself: asking about the same image would be refused the same way. */
const IMAGE_REFUSALS = new Set(['NO_IMAGE', 'IMAGE_EMPTY', 'IMAGE_TOO_LARGE', 'IMAGE_UNSUPPORTED', 'IMAGE_CORRUPT', 'PAYLOAD_TOO_LARGE']);

/** Sends the image (and `fields`) to `path`, streaming the text into `output` and the stages into `progress`. */
async function run(output, path, fields, progress) {
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
  form.append('progress', 'true');
  output.dataset.state = 'running';
  output.setAttribute('aria-busy', 'true');
  output.textContent = '';
  const controller = new AbortController();
  inFlight = { controller, output, progress };
  progress.start();
  const events = {
    onText: (text) => {
      progress.stage('writing');
      output.textContent = displayText(text);
    },
    onStage: (stage) => progress.stage(stage),
  };
  try {
    let result;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await streamRequest(path, form, events, controller.signal);
        break;
      } catch (error) {
        // The request just cancelled may not have wound down on the server yet (one running request per user).
        if (!cancelled || error.code !== 'RATE_LIMITED' || attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    output.textContent = displayText(result.text) || '(no text was generated)';
    output.dataset.state = 'done';
    progress.done();
    showDetails(result);
    return result;
  } catch (error) {
    if (controller.signal.aborted) return null; // a newer request owns the output now
    progress.clear();
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

const preview = $('preview');

/**
 * Forgets the image shown (its preview, caption, alt text, conversation and details): nothing is asked about. A
 * request in flight is left for the caller to cancel (run() cancels it, and then waits out the server's one-request limit).
 */
function clearImage() {
  captionRuns++;
  currentImage = null;
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.removeAttribute('src');
  preview.alt = '';
  preview.hidden = true;
  $('caption').textContent = CAPTION_PROMPT;
  $('caption').dataset.state = 'idle';
  captionProgress.clear();
  answerProgress.clear();
  altText.clear();
  conversation.clear();
  clearDetails();
  $('ask-button').disabled = true;
}

/** The file's name and size in words, for the line under the chooser. */
function describeFile(file) {
  const size = file.size < 1024 * 1024 ? `${Math.max(1, Math.round(file.size / 1024))} KB` : `${(file.size / (1024 * 1024)).toFixed(1)} MB`;
  return `${file.name || 'a pasted image (no name)'}, ${size}`;
}

/** Refuses `file` in words (the alert under the caption); the image before it is cleared. */
function refuseFile(file, message) {
  cancelInFlight();
  clearImage();
  imageRefused = true;
  $('file-name').textContent = file ? `Refused: ${describeFile(file)}` : 'No image chosen.';
  showAskHelp(REFUSED_HELP);
  showError(message);
}

const MAX_IMAGE_BYTES = Number($('image-input').dataset.maxBytes);

function useImage(file) {
  // A file whose type the browser does not know (no or an unknown extension: no type, or application/octet-stream)
  // goes to the server, which reads its bytes.
  const unknownType = !file?.type || file.type === 'application/octet-stream';
  if (!file || (!unknownType && !file.type.startsWith('image/'))) {
    const what = file ? `"${file.name}" (${file.type}) is not an image file` : 'That was not an image file';
    return refuseFile(file, `${what}; choose a JPEG, PNG, WebP, GIF or TIFF image.`);
  }
  if (file.size > MAX_IMAGE_BYTES) {
    const mb = (bytes) => (bytes / (1024 * 1024)).toFixed(1);
    return refuseFile(file, `"${file.name || 'The pasted image'}" is ${mb(file.size)} MB; this server takes images up to ${mb(MAX_IMAGE_BYTES)} MB (GLANCE_HTTP_BODY_LIMIT_MB): choose a smaller image, or save this one smaller.`);
  }
  clearImage();
  imageRefused = false;
  currentImage = file;
  $('file-name').textContent = `Chosen: ${describeFile(file)}`;
  preview.src = URL.createObjectURL(file);
  preview.alt = `The chosen image${file.name ? ` (${file.name})` : ''}`;
  preview.hidden = false;
  showAskHelp('You can ask once the caption is done.');
  const captionRun = captionRuns;
  run($('caption'), '/v1/caption', {}, captionProgress).then((result) => {
    if (captionRun !== captionRuns) return;
    if (!result && IMAGE_REFUSALS.has($('caption').dataset.errorCode)) {
      // The server refused the image: it is not shown as if it were being described.
      imageRefused = true;
      preview.hidden = true;
      $('file-name').textContent = `Refused: ${describeFile(file)}`;
      showAskHelp(REFUSED_HELP);
      return;
    }
    if (result) {
      const alt = displayText(result.text);
      if (alt) preview.alt = alt;
      altText.show(alt);
    }
    $('ask-button').disabled = false;
    showAskHelp('Type a question and press Enter or Ask.');
  });
}

const questionBox = $('question');
listenForImages({ input: $('image-input'), zone: $('drop-zone'), questionBox, onFile: useImage, onRefusal: (message) => showError(message) });

const MAX_QUESTION_CHARS = limitQuestionBox(questionBox, $('question-count'), showAskHelp);
// Enter in the question box does nothing while Ask is disabled (the browser does not submit); say why instead.
questionBox.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || !$('ask-button').disabled) return;
  if ($('caption').dataset.state === 'running') showAskHelp('Wait for the caption to finish: you can ask once it is done.');
  else if (imageRefused) showAskHelp(REFUSED_HELP);
  else showAskHelp('Choose an image first: you can ask about it once its caption is done.');
});

$('ask-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = questionBox.value.trim();
  if ($('ask-button').disabled) return;
  if (!currentImage) return showError('Choose an image first, then ask about it.', $('ask-form'));
  if (!question) return showError('Type a question first (it is empty).', $('ask-form'));
  if (characters(question) > MAX_QUESTION_CHARS) {
    return showError(`The question is ${characters(question)} characters long; this server takes up to ${MAX_QUESTION_CHARS}: shorten it.`, $('ask-form'));
  }
  // The question moves into the conversation; the box is ready for the next one.
  questionBox.value = '';
  questionBox.dispatchEvent(new Event('input'));
  await run(conversation.ask(question), '/v1/ask', { question }, answerProgress);
});
