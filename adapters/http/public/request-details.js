// The details of the last request: the embedding cache status and the per-stage timings.

const $ = (id) => document.getElementById(id);

export function clearDetails() {
  $('cache-status').textContent = '–';
  $('timings').querySelector('tbody').replaceChildren();
}

export function showDetails(result) {
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
