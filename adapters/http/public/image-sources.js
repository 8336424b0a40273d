// Where an image comes from: the file chooser, a drop anywhere on the page, a paste. Each hands one file (or nothing
// usable, said in words) to the page.

/**
 * Listens on the file `input`, the drop `zone` (highlighted while a file is dragged over the page) and the document;
 * `onFile(file)` gets the chosen, dropped or pasted file (a pasted file that is not an image too: the page names it),
 * `onRefusal(message)` a drop it cannot use. Text pasted or dropped into `questionBox` stays text.
 */
export function listenForImages({ input, zone, questionBox, onFile, onRefusal }) {
  input.addEventListener('change', (event) => {
    const file = event.target.files[0];
    // Emptied so that choosing the same file again (after an error, or to start over) is a change too.
    event.target.value = '';
    onFile(file);
  });

  // An image dropped anywhere on the page is used (a drop outside the zone would otherwise make the browser leave the
  // page to show the file). Other drags (text into the question box) keep the browser's behaviour.
  const types = (event) => [...(event.dataTransfer?.types || [])];
  /** A drag of files, or of a link (an image dragged from another page may carry only its address) outside the question box. */
  const isOurs = (event) => types(event).includes('Files') || (types(event).includes('text/uri-list') && event.target !== questionBox);
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
      onRefusal('That was a link, not an image file: save the image and choose it, or copy the image and paste it here (Ctrl+V / ⌘V).');
    } else if (files.length > 1) {
      onRefusal(`${files.length} files were dropped; drop one image at a time.`);
    } else {
      onFile(files[0]);
    }
  });
  document.addEventListener('paste', (event) => {
    // Text pasted into the question box stays text, even when the clipboard also holds a picture of it (a spreadsheet's
    // cells, a word processor's selection): it must not replace the image being asked about.
    if (event.target === questionBox && event.clipboardData?.types.includes('text/plain')) return;
    const files = [...(event.clipboardData?.items || [])].filter((entry) => entry.kind === 'file');
    // An image, else a file of another kind (said to be no image, or sent when its type is unknown); text is left alone.
    const item = files.find((entry) => entry.type.startsWith('image/')) || files[0];
    if (item) onFile(item.getAsFile());
  });
}
