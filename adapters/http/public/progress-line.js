// A request's progress in words and time: its stage (queued / reading the image / writing) as the server reports it
// (`event: stage`; a token means writing, for a server that sends no stages) and the whole seconds since it was sent,
// updated live; at the end, how long it took. The stage words are a live status (read by screen readers when the stage
// changes); the seconds are not live, so they are not read out every second.

const STAGES = {
  queued: 'Queued (waiting for the model)',
  'reading-image': 'Reading the image',
  writing: 'Writing',
};

/** The progress line in `element` (a `.stage` and an `.elapsed` inside it). */
export function createProgressLine(element) {
  const stage = element.querySelector('.stage');
  const elapsed = element.querySelector('.elapsed');
  let timer;
  let startedAt = 0;
  const seconds = () => (performance.now() - startedAt) / 1000;
  const tick = () => { elapsed.textContent = `${Math.floor(seconds())} s`; };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const show = (name, words) => {
    element.dataset.stage = name;
    stage.textContent = words;
  };
  return {
    /** A request was sent: queued, 0 s. */
    start() {
      stop();
      startedAt = performance.now();
      show('queued', STAGES.queued);
      tick();
      timer = setInterval(tick, 250);
    },
    /** The server's stage name (unknown names, from a newer server, leave the line as it is). */
    stage(name) {
      if (timer === undefined || !(name in STAGES) || element.dataset.stage === name) return;
      show(name, STAGES[name]);
    },
    done() {
      stop();
      show('done', 'Done');
      elapsed.textContent = `in ${seconds().toFixed(1)} s`;
    },
    clear() {
      stop();
      show('idle', '');
      elapsed.textContent = '';
    },
  };
}
