/**
 * Names in the environment or `.env` that look like glance's but are not one of its variables, each with the known
 * name it is most likely a typo of. An unknown GLANCE_* name stops start-up (CONFIG_INVALID: only glance reads that
 * prefix, so it is a typo or a variable from another version); an unknown DISCORD_* or SLACK_* name is a warning,
 * since other tools in the same deployment read those prefixes too (SLACK_WEBHOOK_URL, …) — but a misspelt
 * DISCORD_TOKEN would otherwise start glance silently without its Discord bot.
 */
import { distance } from 'fastest-levenshtein';
import { TEST_VARIABLE_PREFIX } from './config-variables.ts';

export interface UnknownVariable {
  name: string;
  /** 'error' for GLANCE_*, 'warning' for DISCORD_* and SLACK_*. */
  severity: 'error' | 'warning';
  /** The known variable it is closest to, when a typo is likely (at most two edits, or a quarter of its length). */
  suggestion?: string;
}

const CHECKED_PREFIXES: readonly (readonly [prefix: string, severity: UnknownVariable['severity']])[] = [
  ['GLANCE_', 'error'],
  ['DISCORD_', 'warning'],
  ['SLACK_', 'warning'],
];

/** The known name nearest to `name`, if it is close enough to be a typo of it. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; edits: number } | undefined;
  for (const candidate of known) {
    const edits = distance(name.toUpperCase(), candidate);
    if (best === undefined || edits < best.edits) best = { name: candidate, edits };
  }
  if (best === undefined) return undefined;
  return best.edits <= Math.max(2, Math.floor(best.name.length / 4)) ? best.name : undefined;
}

/** Every name of `names` (once each, in order) under a checked prefix that is not `known`. */
export function findUnknownVariables(names: Iterable<string>, known: readonly string[]): UnknownVariable[] {
  const knownSet = new Set(known);
  const found = new Map<string, UnknownVariable>();
  for (const name of names) {
    if (knownSet.has(name) || found.has(name) || name.startsWith(TEST_VARIABLE_PREFIX)) continue;
    const rule = CHECKED_PREFIXES.find(([prefix]) => name.startsWith(prefix));
    if (rule === undefined) continue;
    const suggestion = closestName(name, known);
    found.set(name, { name, severity: rule[1], ...(suggestion === undefined ? {} : { suggestion }) });
  }
  return [...found.values()];
}

/** "unknown variable GLANCE_MODLE — did you mean GLANCE_MODEL?", or the list to look in when nothing is close. */
export function describeUnknownVariable(variable: UnknownVariable): string {
  if (variable.suggestion !== undefined) return `unknown variable ${variable.name} — did you mean ${variable.suggestion}?`;
  const fate = variable.severity === 'error' ? '' : ' (ignored)';
  return `unknown variable ${variable.name}${fate}: it is not a glance setting (see .env.example for the variables)`;
}
