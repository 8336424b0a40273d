// The questions about the image and glance's answers as a conversation: one list, in order, each turn named by who
// speaks ("You", "glance"); the answer streams into glance's turn, the only place it is shown.

function turn(who, speaker) {
  const item = document.createElement('li');
  item.className = `turn turn-${who}`;
  const name = document.createElement('span');
  name.className = 'speaker';
  name.textContent = speaker;
  const colon = document.createElement('span');
  colon.className = 'visually-hidden';
  colon.textContent = ':';
  name.append(colon);
  const text = document.createElement('p');
  text.className = 'turn-text';
  item.append(name, ' ', text);
  return { item, text };
}

/** The conversation in `list` (an <ol>). */
export function createConversation(list) {
  return {
    clear() {
      list.replaceChildren();
    },
    /** Adds the question as the user's turn and an empty turn of glance's; returns the element its answer goes in. */
    ask(question) {
      const asked = turn('user', 'You');
      asked.text.textContent = question;
      const answer = turn('glance', 'glance');
      answer.text.classList.add('output');
      answer.text.dataset.state = 'idle';
      answer.text.setAttribute('aria-busy', 'false');
      list.append(asked.item, answer.item);
      answer.item.scrollIntoView({ block: 'nearest' });
      return answer.text;
    },
  };
}
