// The question box's length limit, counted as the server counts it.

/** Characters as the server counts them (code points: an emoji is one). */
export const characters = (text) => [...text].length;

/**
 * Holds `box` to the server's question limit, which its maxlength attribute carries when the page loads. maxlength
 * counts UTF-16 units (an emoji is two), so before each insertion (typing, paste, drop, IME) it is set to fit exactly
 * the characters still allowed; `counter` shows the count and `showHelp` says when an insertion was cut. Returns the
 * limit.
 */
export function limitQuestionBox(box, counter, showHelp) {
  const limit = box.maxLength;
  box.addEventListener('input', () => {
    const count = characters(box.value);
    box.maxLength = box.value.length + 2 * Math.max(0, limit - count);
    counter.textContent = `${count} / ${limit} characters`;
  });
  box.addEventListener('beforeinput', (event) => {
    const text = event.data ?? event.dataTransfer?.getData('text/plain');
    if (text == null) return;
    // A one-line box takes each line break as a space.
    const inserted = [...text.replace(/\r\n|\r|\n/g, ' ')];
    const { selectionStart, selectionEnd, value } = box;
    const room = Math.max(0, limit - characters(value) + characters(value.slice(selectionStart, selectionEnd)));
    box.maxLength = value.length - (selectionEnd - selectionStart) + inserted.slice(0, room).join('').length;
    if (inserted.length <= room) return;
    // Say so instead of dropping what was typed or sending a shortened question silently.
    const what = { insertFromPaste: 'The pasted text', insertFromDrop: 'The dropped text' }[event.inputType];
    showHelp(room === 0 && inserted.length === 1
      ? `That is the longest question this server takes (${limit} characters).`
      : `${what || 'The text'} was cut to fit ${limit} characters, the longest question this server takes; check the question before asking.`);
  });
  return limit;
}
