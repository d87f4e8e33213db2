// A plain `ws` server of the benchmark's shape, the peer Trackwire's
// targets are set against (DESIGN.md, "Performance rules of thumb").
//
// WebSocket on /ws: a client sends {"type":"subscribe","topic":T} and is
// answered {"type":"subscribed","topic":T}. POST /publish?topic=T sends
// the request body, as it is (one pre-serialized frame), to every
// subscriber of T as a text frame and answers {"delivered":N}. Nothing is
// stored. HOST and PORT (0: any) from the environment; prints
// `listening on http://HOST:PORT` once listening.
import http from "node:http";
import { WebSocketServer } from "ws";

const topics = new Map(); // topic -> Set<WebSocket>

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (req.method !== "POST" || url.pathname !== "/publish") {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const frame = Buffer.concat(chunks);
    const subscribers = topics.get(url.searchParams.get("topic"));
    let delivered = 0;
    if (subscribers) {
      for (const socket of subscribers) {
        socket.send(frame, { binary: false });
        delivered += 1;
      }
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(`{"delivered":${delivered}}`);
  });
});

const wss = new WebSocketServer({ server, path: "/ws", perMessageDeflate: false });
wss.on("connection", (socket) => {
  let topic = null;
  socket.on("message", (data) => {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message?.type !== "subscribe" || typeof message.topic !== "string" || topic !== null) {
      return;
    }
    topic = message.topic;
    let subscribers = topics.get(topic);
    if (!subscribers) {
      subscribers = new Set();
      topics.set(topic, subscribers);
    }
    subscribers.add(socket);
    socket.send(JSON.stringify({ type: "subscribed", topic }));
  });
  socket.on("close", () => {
    const subscribers = topic === null ? undefined : topics.get(topic);
    if (subscribers) {
      subscribers.delete(socket);
      if (subscribers.size === 0) topics.delete(topic);
    }
  });
  socket.on("error", () => {});
});

// The publisher keeps its HTTP connections open between requests.
server.keepAliveTimeout = 60_000;

const host = process.env.HOST ?? "127.0.0.1";
server.listen(Number(process.env.PORT ?? 0), host, () => {
  console.log(`listening on http://${host}:${server.address().port}`);
});
