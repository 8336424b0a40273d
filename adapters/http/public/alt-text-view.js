// The "alt text" view: the image's alt text exactly as this page gives it to screen readers (the caption as shown,
// display-text.js), with a button that copies it, to paste where the image is posted.

const NONE = 'No alt text yet: it is the caption, once the caption is done.';
const EMPTY = 'No alt text: the model wrote no printable text for this image.';
const HELP = 'What a screen reader reads for this image (its alt attribute). The Discord and Slack bots post the same words after "Alt text (glance):".';

/** The view made of `text` (where the alt text is shown), `help`, the `copy` button and its `status`. */
export function createAltTextView({ text, help, copy, status }) {
  copy.addEventListener('click', async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text.textContent);
      status.textContent = 'Copied.';
    } catch {
      status.textContent = 'The browser did not let the page copy (pages not served from this machine or over https may not): select the text and copy it (Ctrl+C / ⌘C).';
    }
  });
  const set = (alt, words) => {
    text.textContent = alt;
    text.hidden = alt === '';
    help.textContent = words;
    copy.disabled = alt === '';
    status.textContent = '';
  };
  return {
    /** The image's alt text ('' when the model wrote nothing printable). */
    show(alt) {
      set(alt, alt === '' ? EMPTY : HELP);
    },
    clear() {
      set('', NONE);
    },
  };
}
