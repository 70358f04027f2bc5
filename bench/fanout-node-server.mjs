// A stock socket.io 4.8 server doing the same fan-out as callboard's hub, for
// bench/fanout: token auth middleware, `org:join` with ack into room org:<id>, and
// `POST /emit` broadcasting {seq, org_id, call} to the room. Prints "PORT <n>".
import http from "node:http";
import { Server } from "socket.io";

const members = { "tok-acme": ["acme"], "tok-globex": ["globex"], "tok-both": ["acme", "globex"] };
const lastSeq = {};

const httpServer = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/emit") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const e = JSON.parse(Buffer.concat(chunks).toString());
      lastSeq[e.org_id] = e.seq;
      const name = e.kind === "created" ? "call:created" : e.kind === "deleted" ? "call:deleted" : "call:updated";
      const body = e.kind === "deleted" ? { seq: e.seq, org_id: e.org_id, call_id: e.call.id }
                                        : { seq: e.seq, org_id: e.org_id, call: e.call };
      io.to(`org:${e.org_id}`).emit(name, body);
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
    return;
  }
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });
io.use((socket, next) => {
  const orgs = members[socket.handshake.auth?.token];
  if (!orgs) {
    const err = new Error("unauthorized");
    err.data = { code: "invalid_token" };
    return next(err);
  }
  socket.data.orgs = orgs;
  next();
});
io.on("connection", (socket) => {
  socket.on("org:join", (arg, ack) => {
    const orgId = arg?.org_id;
    if (!socket.data.orgs.includes(orgId)) {
      if (typeof ack === "function") ack({ ok: false, error: { code: "forbidden", message: "not a member" } });
      return;
    }
    socket.join(`org:${orgId}`);
    if (typeof ack === "function") ack({ ok: true, last_seq: lastSeq[orgId] ?? 0 });
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`PORT ${httpServer.address().port}`);
});
