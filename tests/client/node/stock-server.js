// A stock Node socket.io 4.8 server shaped like Callboard's realtime API (DESIGN §3):
// token auth middleware, rooms org:<id>, org:join with ack. HTTP control endpoints let a
// test emit events, drop or kick connections, stop pings, and refuse CONNECTs for a while. Prints "PORT <n>" when ready.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const tokens = { "tok-acme": ["acme"], "tok-both": ["acme", "globex"] };
const lastSeq = { acme: 0, globex: 0 };
let connections = 0;
let crowded = 0; // CONNECTs still to refuse as if the user had too many connections open

const httpServer = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const reply = (status, json) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(json));
    };
    const sockets = [...io.of("/").sockets.values()];
    switch (url.pathname) {
      case "/emit": {
        const org = url.searchParams.get("org");
        const event = url.searchParams.get("event");
        const payload = body ? JSON.parse(body) : {};
        if (typeof payload.seq === "number") lastSeq[org] = Math.max(lastSeq[org] || 0, payload.seq);
        io.to("org:" + org).emit(event, payload);
        return reply(200, { ok: true });
      }
      case "/drop": // the transport dies, as on a network failure
        sockets.forEach((s) => s.conn.close());
        return reply(200, { dropped: sockets.length });
      case "/kick": // a server-side disconnect: Socket.IO DISCONNECT, then close
        sockets.forEach((s) => s.disconnect(true));
        return reply(200, { kicked: sockets.length });
      case "/mute": // stop pinging, so clients must notice a dead connection themselves
        sockets.forEach((s) => {
          clearTimeout(s.conn.pingIntervalTimer);
          clearTimeout(s.conn.pingTimeoutTimer);
          s.conn.pingIntervalTimer = null;
          s.conn.schedulePing = () => {};
        });
        return reply(200, { muted: sockets.length });
      case "/crowd": // refuse the next n CONNECTs as Callboard's per-user connection cap does
        crowded = Number(url.searchParams.get("n") || 1);
        return reply(200, { crowded });
      case "/stats":
        return reply(200, {
          connections,
          connected: sockets.length,
          rooms: sockets.map((s) => [...s.rooms].filter((r) => r.startsWith("org:"))),
        });
      default:
        return reply(404, { error: { code: "not_found", message: "no such control" } });
    }
  });
});

const io = new Server(httpServer, {
  transports: ["websocket"],
  pingInterval: Number(process.env.PING_INTERVAL || 300),
  pingTimeout: Number(process.env.PING_TIMEOUT || 200),
});

io.use((socket, next) => {
  connections++;
  const token = socket.handshake.auth && socket.handshake.auth.token;
  if (!tokens[token]) {
    const err = new Error("invalid or expired token");
    err.data = { code: "unauthorized" };
    return next(err);
  }
  if (crowded > 0) {
    crowded--;
    const err = new Error("too many connections");
    err.data = { code: "too_many_connections" };
    return next(err);
  }
  socket.data.orgs = tokens[token];
  next();
});

io.on("connection", (socket) => {
  socket.on("org:join", (args, ack) => {
    const org = args && args.org_id;
    if (typeof ack !== "function") return;
    if (!socket.data.orgs.includes(org))
      return ack({ ok: false, error: { code: "forbidden", message: "not a member of " + org } });
    socket.join("org:" + org);
    ack({ ok: true, last_seq: lastSeq[org] || 0 });
  });
  socket.on("org:leave", (args) => socket.leave("org:" + (args && args.org_id)));
});

httpServer.listen(0, "127.0.0.1", () => {
  console.log("PORT " + httpServer.address().port);
});
