// @ts-check
/**
 * Test support: a hostile HTTP proxy in front of a test server, as some
 * corporate networks have. It refuses every WebSocket upgrade (403, as a
 * proxy that cannot pass them), and it buffers Server-Sent Events: the
 * response's headers go through at once, but its body is held until the
 * upstream response ends or 64 KiB have piled up (an antivirus scanner or a
 * proxy that ignores `X-Accel-Buffering: no`). Every other request,
 * long-poll included, passes through untouched.
 */

import http from 'node:http';

/** Bytes an SSE body piles up before the proxy lets them through. */
const SSE_BUFFER_BYTES = 64 * 1024;

/**
 * @typedef {object} TestProxy
 * @property {string} url base URL of the proxy, `http://127.0.0.1:PORT`
 * @property {{ upgrades: number, sse: number, polls: number }} seen requests seen so far, by kind
 * @property {() => Promise<void>} stop
 */

/**
 * Starts a proxy to `upstream` (a base URL) on a free port of 127.0.0.1.
 * @param {string} upstream
 * @returns {Promise<TestProxy>}
 */
export async function startBufferingProxy(upstream) {
  const target = new URL(upstream);
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  const seen = { upgrades: 0, sse: 0, polls: 0 };

  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    if (path.startsWith('/v1/poll')) seen.polls += 1;
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path,
        // The Host stays the page's, as a reverse proxy passes it.
        headers: request.headers,
      },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        if (!String(reply.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          reply.pipe(response);
          return;
        }
        seen.sse += 1;
        // The headers go through at once (as nginx sends them), the body is held.
        response.flushHeaders();
        /** @type {Buffer[]} */
        let held = [];
        let size = 0;
        const release = () => {
          if (held.length > 0) response.write(Buffer.concat(held));
          held = [];
          size = 0;
        };
        reply.on('data', (/** @type {Buffer} */ chunk) => {
          held.push(chunk);
          size += chunk.length;
          if (size >= SSE_BUFFER_BYTES) release();
        });
        reply.on('end', () => {
          release();
          response.end();
        });
        reply.on('error', () => response.destroy());
      },
    );
    forward.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    // The browser gave up (an aborted fetch): so does the proxy.
    response.on('close', () => forward.destroy());
    request.pipe(forward);
  });

  server.on('upgrade', (_request, socket) => {
    seen.upgrades += 1;
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
