// @ts-check
/**
 * The SDK's declarations (types/*.d.ts) are generated from the sources'
 * JSDoc by tsc (tsconfig.types.json) and committed, so the package, the
 * React bindings and the pages' type check use them without a build step.
 *
 *   node scripts/types.js          writes types/ afresh (npm run types)
 *   node scripts/types.js --check  generates into a scratch folder and fails
 *                                  when the committed types/ differ from it
 *                                  (npm run types:check; scripts/js-test)
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = join(ROOT, 'types');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
/** The first line of every generated file. */
const BANNER = '// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.\n';

/**
 * Runs tsc with tsconfig.types.json, writing into `outDir`, and marks each
 * file as generated.
 * @param {string} outDir
 */
function generate(outDir) {
  const result = spawnSync(TSC, ['-p', join(ROOT, 'tsconfig.types.json'), '--outDir', outDir], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('types: tsc failed (see above)');
    process.exit(1);
  }
  for (const file of files(outDir)) {
    const path = join(outDir, file);
    writeFileSync(path, BANNER + readFileSync(path, 'utf8'));
  }
}

/**
 * Every file below `dir`, as paths relative to it (none when it is missing).
 * @param {string} dir
 * @returns {string[]}
 */
function files(dir) {
  /** @type {string[]} */
  const found = [];
  /** @param {string} at */
  const walk = (at) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * What differs between the committed declarations and fresh ones.
 * @param {string} committed
 * @param {string} fresh
 * @returns {string[]} one line per file that differs
 */
export function differences(committed, fresh) {
  const have = new Set(files(committed));
  const want = new Set(files(fresh));
  /** @type {string[]} */
  const lines = [];
  for (const file of want) {
    if (!have.has(file)) lines.push(`missing: types/${file}`);
    else if (readFileSync(join(committed, file), 'utf8') !== readFileSync(join(fresh, file), 'utf8')) {
      lines.push(`stale: types/${file}`);
    }
  }
  for (const file of have) if (!want.has(file)) lines.push(`left over: types/${file}`);
  return lines;
}

if (process.argv.includes('--check')) {
  const scratch = mkdtempSync(join(tmpdir(), 'trackwire-types-'));
  try {
    generate(scratch);
    const lines = differences(TYPES, scratch);
    if (lines.length > 0) {
      console.error(
        `types: the committed declarations are not what the sources' JSDoc generates:\n  ${lines.join('\n  ')}\n` +
          'Run `npm run types` in clients/js and commit types/.',
      );
      process.exitCode = 1;
    } else {
      console.log(`types: ${files(TYPES).length} declaration files up to date`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  rmSync(TYPES, { recursive: true, force: true });
  generate(TYPES);
  console.log(`types: wrote ${files(TYPES).length} declaration files to types/`);
}
