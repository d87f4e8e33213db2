// @ts-check
/**
 * Test support: the real `trackwire` binary in a child process.
 *
 * The binary is `$TRACKWIRE_BIN` (scripts/js-test exports it), or else
 * `<repo>/target/debug/trackwire`. Every server runs with `--insecure-dev`
 * (callers without a token are the development identity) on a free port of
 * 127.0.0.1, in a temporary data dir unless one is given. Temporary dirs are
 * deleted, and servers still running are killed, when the test process exits.
 *
 * A server that a test forgets to stop does not keep the test process alive:
 * the child and its pipes are unreferenced while it runs, and referenced
 * again only while this module waits for it.
 */

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {import('node:child_process').ChildProcessByStdio<
 *   null, import('node:stream').Readable, import('node:stream').Readable>} Child
 */

/**
 * @typedef {object} TestServer
 * @property {string} url Base URL, `http://127.0.0.1:PORT` (no trailing slash).
 * @property {number} port The port; the same across `restart()`.
 * @property {string} dataDir The data dir; the same across `restart()`.
 * @property {() => Promise<void>} stop SIGTERM (graceful shutdown), then wait for exit.
 * @property {() => Promise<void>} kill SIGKILL, then wait for exit.
 * @property {(extraArgs?: string[], options?: { args?: string[] }) => Promise<void>} restart
 *   Start again on the same port and data dir, with the original `args`
 *   (or `options.args`, which replace them from now on) followed by
 *   `extraArgs`; stops the running process first (SIGTERM) if there is one.
 * @property {() => string} stderr What the current process wrote to stderr so far (its log).
 * @property {() => number | undefined} pid The current process id, if running.
 */

/** An HS256 secret (at least 32 bytes) for servers started with `--jwt-secret`. */
export const TEST_SECRET = 'trackwire-js-tests-secret-0123456789abcdef';

const READY_TIMEOUT_MS = 15_000;
const PORT_RETRY_MS = 5_000;
const STDERR_KEEP = 64 * 1024;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The server binary: `$TRACKWIRE_BIN`, or the debug build of this repository. */
export function binary() {
  const bin = process.env.TRACKWIRE_BIN || path.join(REPO_ROOT, 'target/debug/trackwire');
  if (!existsSync(bin)) {
    throw new Error(
      `trackwire binary not found at ${bin}: run \`cargo build -p trackwire\` ` +
        'or set TRACKWIRE_BIN (scripts/js-test does both)',
    );
  }
  return bin;
}

/** Temp dirs this module made, removed at exit. @type {Set<string>} */
const tempDirs = new Set();
/** Children still running, killed at exit. @type {Set<Child>} */
const live = new Set();

function cleanup() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

process.on('exit', cleanup);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    cleanup();
    // Die of the same signal, as without this handler.
    process.kill(process.pid, signal);
  });
}

/** @param {string} text */
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Unreferences (`false`) or references (`true`) a child and its pipes, so
 * that a running server does or does not keep the event loop alive.
 * @param {Child} child
 * @param {boolean} on
 */
function hold(child, on) {
  // The pipes are sockets at run time, though typed as plain streams.
  const pipes = /** @type {import('node:net').Socket[]} */ (
    /** @type {unknown[]} */ ([child.stdout, child.stderr])
  );
  for (const handle of [child, ...pipes]) {
    if (on) handle.ref();
    else handle.unref();
  }
}

/**
 * Resolves when `child` has exited (at once if it already has).
 * @param {Child} child
 * @returns {Promise<void>}
 */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  hold(child, true);
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Spawns one server process and waits for its `listening` line.
 * @param {string[]} args
 * @returns {Promise<{ child: Child, url: string, port: number, stderr: () => string }>}
 */
function spawnServer(args) {
  /** @type {Child} */
  const proc = spawn(binary(), args, {
    env: { ...process.env, TRACKWIRE_LOG: 'warn', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));

  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (/** @type {string} */ chunk) => {
    stderr += chunk;
    if (stderr.length > STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
  });
  const stderrText = () => stripAnsi(stderr);

  // Reads stdout to the end, so the child never blocks on a full pipe.
  const lines = createInterface({ input: proc.stdout });

  return new Promise((resolve, reject) => {
    let settled = false;
    /** @param {() => void} action */
    const settle = (action) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    const command = `${binary()} ${args.join(' ')}`;
    const timer = setTimeout(() => {
      settle(() => {
        proc.kill('SIGKILL');
        reject(
          new Error(
            `trackwire did not print "trackwire listening on ..." within ` +
              `${READY_TIMEOUT_MS / 1000} s\ncommand: ${command}\nstderr:\n${stderrText()}`,
          ),
        );
      });
    }, READY_TIMEOUT_MS);

    lines.on('line', (line) => {
      const match = /^trackwire listening on (http:\/\/(\S+):(\d+))\s*$/.exec(line);
      if (!match) return;
      settle(() => {
        hold(proc, false);
        resolve({ child: proc, url: match[1], port: Number(match[3]), stderr: stderrText });
      });
    });
    proc.once('error', (error) => {
      settle(() => reject(new Error(`cannot start ${command}: ${error.message}`)));
    });
    // 'close' comes after the pipes are drained, so stderr is complete.
    proc.once('close', (code, signal) => {
      settle(() =>
        reject(
          Object.assign(
            new Error(
              `trackwire exited (${signal ?? `code ${code}`}) before listening\n` +
                `command: ${command}\nstderr:\n${stderrText()}`,
            ),
            { stderr: stderrText() },
          ),
        ),
      );
    });
  });
}

/**
 * Starts `trackwire serve --insecure-dev` on a free port of 127.0.0.1; or,
 * with `command: 'demo'`, `trackwire demo` (its simulator, and its
 * personas at `/v1/demo/personas`; the demo lets callers without a token in
 * as the development identity by itself).
 *
 * @param {object} [options]
 * @param {'serve' | 'demo'} [options.command] Default `serve`.
 * @param {string[]} [options.args] More arguments, e.g. `['--jwt-secret', TEST_SECRET]`
 *   (`serve`) or `['--pace', '0.05-0.1']` (`demo`).
 * @param {string} [options.dataDir] The data dir; a new temporary one (deleted at exit) if not given.
 * @returns {Promise<TestServer>}
 */
export async function startServer({ command = 'serve', args = [], dataDir } = {}) {
  let dir = dataDir;
  if (!dir) {
    dir = mkdtempSync(path.join(tmpdir(), 'trackwire-js-test-'));
    tempDirs.add(dir);
  }
  const dirPath = dir;
  let startArgs = args;
  /** @param {string} listen @param {string[]} extra */
  const argv = (listen, extra) => [
    ...(command === 'demo' ? ['demo'] : ['serve', '--insecure-dev']),
    '--listen',
    listen,
    '--data-dir',
    dirPath,
    ...startArgs,
    ...extra,
  ];

  let current = await spawnServer(argv('127.0.0.1:0', []));
  const { url, port } = current;

  /** @type {TestServer} */
  const server = {
    url,
    port,
    dataDir: dirPath,
    async stop() {
      const { child } = current;
      const done = exited(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await done;
    },
    async kill() {
      const { child } = current;
      const done = exited(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await done;
    },
    async restart(extraArgs = [], options = {}) {
      await server.stop();
      if (options.args) startArgs = options.args;
      const deadline = Date.now() + PORT_RETRY_MS;
      for (;;) {
        try {
          current = await spawnServer(argv(`127.0.0.1:${port}`, extraArgs));
          break;
        } catch (error) {
          const stderr = /** @type {{ stderr?: string }} */ (error).stderr ?? '';
          const portBusy = /cannot listen|address already in use|os error 98/i.test(stderr);
          if (!portBusy || Date.now() > deadline) throw error;
          await sleep(100);
        }
      }
      if (current.port !== port) {
        throw new Error(`restart listened on port ${current.port}, expected ${port}`);
      }
    },
    stderr: () => current.stderr(),
    pid: () => {
      const { child } = current;
      return child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
  };
  return server;
}

/**
 * A bearer token from `trackwire token`, signed with `secret` (HS256).
 *
 * @param {object} claims
 * @param {string} claims.sub The subject: a customer's or courier's id.
 * @param {string} claims.role customer, courier, dispatcher, admin or service.
 * @param {string} [claims.tenant] Default `demo`.
 * @param {number} [claims.ttl] Seconds until it expires; default 3600.
 * @param {string} [claims.secret] Default {@link TEST_SECRET}.
 * @returns {string}
 */
export function token({ sub, role, tenant = 'demo', ttl = 3600, secret = TEST_SECRET }) {
  const out = execFileSync(
    binary(),
    ['token', '--sub', sub, '--tenant', tenant, '--role', role, '--ttl', String(ttl)],
    {
      // The secret goes through the environment, not the command line.
      env: { ...process.env, TRACKWIRE_JWT_SECRET: secret, TRACKWIRE_LOG: 'warn', NO_COLOR: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return out.trim();
}

/**
 * One HTTP request with global fetch. A JSON `body` is sent as JSON; the
 * response body is parsed as JSON when it says so, else returned as text
 * (`null` when empty).
 *
 * @param {string} url Base URL, e.g. `server.url`.
 * @param {string} method
 * @param {string} path E.g. `/v1/orders`.
 * @param {unknown} [body]
 * @param {string} [bearer] A token for `Authorization: Bearer`.
 * @returns {Promise<{ status: number, body: any, headers: Headers }>}
 */
export async function api(url, method, path, body, bearer) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  /** @type {any} */
  let parsed = text === '' ? null : text;
  if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) {
    parsed = JSON.parse(text);
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
