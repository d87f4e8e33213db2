// @ts-check
/**
 * Test support: a Trackwire cluster behind nginx, for browser tests that
 * go through a load balancer. Three `trackwire serve` nodes (the real
 * binary, see server.js) on a fresh PostgreSQL database and the local
 * Redis (a key prefix of the test's own), and nginx with the repository's
 * config (deploy/nginx/trackwire.conf) in a prefix of its own.
 *
 * PostgreSQL is `$TRACKWIRE_TEST_POSTGRES` (default
 * `postgres://postgres@127.0.0.1:5432/postgres`), Redis
 * `$TRACKWIRE_TEST_REDIS`; scripts/services starts both and scripts/js-setup
 * installs nginx. Without them `startCluster` throws, with the command to
 * run (unless `TRACKWIRE_ALLOW_SKIP=1`: then it returns null and the test
 * says it skipped).
 */

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer, TEST_SECRET } from './server.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const ADMIN = process.env.TRACKWIRE_TEST_POSTGRES || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TRACKWIRE_TEST_REDIS || 'redis://127.0.0.1:6379';

/**
 * @typedef {object} TestCluster
 * @property {string} url nginx's base URL.
 * @property {import('./server.js').TestServer[]} nodes
 * @property {() => Promise<void>} stop Stops nginx and the nodes, drops the database.
 */

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** @param {string} url @param {string} sql */
function psql(url, sql) {
  return execFileSync('psql', [url, '-tAqc', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Starts the cluster. `primary: true` makes nginx send every request to the
 * first node while it lives (the others are `backup`), so a test knows
 * which node holds a page's connection.
 * @param {{ primary?: boolean }} [options]
 * @returns {Promise<TestCluster | null>}
 */
export async function startCluster({ primary = false } = {}) {
  try {
    psql(ADMIN, 'SELECT 1');
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
  } catch (error) {
    const message = `PostgreSQL (${ADMIN}) or nginx is missing: run scripts/services and scripts/js-setup (${error})`;
    if (process.env.TRACKWIRE_ALLOW_SKIP) {
      console.log(`# SKIPPED: ${message}`);
      return null;
    }
    throw new Error(`${message}; TRACKWIRE_ALLOW_SKIP=1 skips instead`);
  }
  const name = `tw_js_${process.pid}_${Date.now() % 100000}`;
  psql(ADMIN, `CREATE DATABASE ${name}`);
  const store = `${ADMIN.slice(0, ADMIN.lastIndexOf('/'))}/${name}`;
  const prefix = `twjs-${process.pid}-${Date.now()}`;
  /** @type {import('./server.js').TestServer[]} */
  const nodes = [];
  for (let n = 0; n < 3; n += 1) {
    nodes.push(
      await startServer({
        args: [
          '--jwt-secret', TEST_SECRET,
          '--store', store,
          '--broker', REDIS,
          '--redis-prefix', prefix,
          '--node-id', `js-node-${n}`,
          '--heartbeat', '2',
          '--max-connections-per-ip', '100000',
          '--max-http-connections-per-ip', '100000',
        ],
      }),
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'trackwire-nginx-'));
  mkdirSync(path.join(dir, 'logs'));
  const upstreams = nodes
    .map((node, i) => `    server 127.0.0.1:${node.port} max_fails=1 fail_timeout=2s${primary && i > 0 ? ' backup' : ''};`)
    .join('\n');
  // The repository's config, with this cluster's nodes and port.
  const site = readFileSync(path.join(REPO_ROOT, 'deploy/nginx/trackwire.conf'), 'utf8')
    .replace(/(upstream trackwire \{\n)(?:.*\n)*?(\s*keepalive)/, `$1${upstreams}\n$2`)
    .replace(/listen 127\.0\.0\.1:\d+/, `listen 127.0.0.1:${port}`);
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      `worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log;`,
      'events { worker_connections 4096; }',
      `http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      site,
      '}',
    ].join('\n'),
  );
  const nginx = spawn('nginx', ['-p', dir, '-c', `${dir}/nginx.conf`, '-g', 'daemon off;'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    const up = await fetch(`${url}/v1/health/live`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url}; its log: ${dir}/logs/error.log`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    nodes,
    async stop() {
      nginx.kill('SIGTERM');
      for (const node of nodes) {
        if (node.pid() !== undefined) await node.kill();
      }
      try {
        psql(ADMIN, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch {
        // the next run's databases have names of their own
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
