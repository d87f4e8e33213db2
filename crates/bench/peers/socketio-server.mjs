// A Socket.IO server of the benchmark's shape.
//
// Socket.IO on /socket.io/ (WebSocket transport only: the benchmark's
// clients connect with EIO=4&transport=websocket, no long-polling first).
// A client's CONNECT packet carries {topic: T} as its auth; the server
// joins it to room T and emits "subscribed". POST /publish?topic=T emits
// the request body, a string (one pre-serialized frame: Socket.IO encodes
// a broadcast once for every socket of the room), as event "event" to
// room T and answers {"ok":true}. Nothing is stored. HOST and PORT (0:
// any) from the environment; prints `listening on http://HOST:PORT`.
import http from "node:http";
import { Server } from "socket.io";

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (req.method !== "POST" || url.pathname !== "/publish") {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    io.to(url.searchParams.get("topic") ?? "").emit("event", Buffer.concat(chunks).toString());
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
});

const io = new Server(server, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  httpCompression: false,
});
io.on("connection", (socket) => {
  const topic = socket.handshake.auth?.topic;
  if (typeof topic !== "string") {
    socket.disconnect(true);
    return;
  }
  socket.join(topic);
  socket.emit("subscribed", topic);
});

// The publisher keeps its HTTP connections open between requests.
server.keepAliveTimeout = 60_000;

const host = process.env.HOST ?? "127.0.0.1";
server.listen(Number(process.env.PORT ?? 0), host, () => {
  console.log(`listening on http://${host}:${server.address().port}`);
});
