// Preloaded with `node --import` into a glance process under test: every file-system call whose path lies under
// GLANCE_TEST_WATCHED_DIR writes "read under watched dir: <path>" to stderr (and goes ahead). The wrapped functions
// replace Node's own, and syncBuiltinESMExports makes `import { readFile } from 'node:fs/promises'` see them too.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const watched = resolve(process.env.GLANCE_TEST_WATCHED_DIR ?? '/nonexistent-watched-dir');

function pathOf(value) {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.protocol === 'file:' ? fileURLToPath(value) : undefined;
  if (Buffer.isBuffer(value)) return value.toString();
  return undefined;
}

function wrap(target, name) {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function (...args) {
    for (const arg of args.slice(0, 2)) {
      const path = pathOf(arg);
      if (path !== undefined && (resolve(path) === watched || resolve(path).startsWith(`${watched}/`))) fs.writeSync(2, `read under watched dir: ${resolve(path)}\n`);
    }
    return original.apply(this, args);
  };
}

const NAMES = ['open', 'readFile', 'stat', 'lstat', 'readdir', 'access', 'copyFile', 'opendir', 'realpath', 'cp', 'exists', 'createReadStream'];
for (const name of NAMES) {
  wrap(fs, name);
  wrap(fs, `${name}Sync`);
  wrap(fs.promises, name);
}
syncBuiltinESMExports();
