// The official socket.io-client 4.8 against the real callboard-server binary: a webhook
// taken by the server arrives as a call event; a bad token gets connect_error; the
// client reconnects on its own after the server restarts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { io } from "socket.io-client";
import { request } from "./harness.mjs";

const binary = process.env.CALLBOARD_SERVER;
const fixtures = process.env.CALLBOARD_TEST_DATA;
const dataDir = mkdtempSync(join(tmpdir(), "callboard-realtime-"));
let server;

function startServer(port = 0) {
  const child = spawn(binary, ["--demo", "--data", dataDir, "--listen", `127.0.0.1:${port}`],
    { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("callboard-server did not start")), 20000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.on("exit", (code) => reject(new Error(`callboard-server exited with ${code}`)));
  });
}

function stopServer(s) {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null) return resolve();
    s.child.once("exit", () => resolve());
    s.child.kill("SIGKILL");
  });
}

async function login(port) {
  const res = await request(port, "POST", "/api/auth/login", { email: "viewer@demo", password: "callboard-demo" });
  assert.equal(res.status, 200);
  return JSON.parse(res.body).token;
}

function postVapi(port, callId) {
  const body = JSON.parse(readFileSync(join(fixtures, "vapi/answered/02-status-update-in-progress.json"), "utf8"));
  body.message.call.id = callId;
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    import("node:http").then(({ default: http }) => {
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/api/webhooks/vapi", agent: false,
        headers: { "content-type": "application/json", "content-length": data.length, "x-vapi-secret": "demo-vapi-secret" } },
        (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
      req.on("error", reject);
      req.end(data);
    });
  });
}

const once = (emitter, event) => new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));

before(async () => { server = await startServer(); });
after(async () => { await stopServer(server); rmSync(dataDir, { recursive: true, force: true }); });

test("a webhook reaches a socket.io-client as a call event", async () => {
  const token = await login(server.port);
  const socket = io(`http://127.0.0.1:${server.port}`, { transports: ["websocket"], auth: { token }, reconnection: false });
  await once(socket, "connect");
  const ack = await socket.timeout(5000).emitWithAck("org:join", { org_id: "org-acme" });
  assert.equal(ack.ok, true);
  const callId = randomUUID();
  const arrived = new Promise((resolve) => {
    const check = (e) => { if (e.call?.provider_call_id === callId) resolve(e); };
    socket.on("call:created", check);
    socket.on("call:updated", check);
  });
  assert.equal(await postVapi(server.port, callId), 200);
  const event = await arrived;
  assert.equal(event.org_id, "org-acme");
  assert.ok(event.seq > ack.last_seq);
  assert.equal(event.call.status, "in_progress");
  socket.disconnect();
});

test("a bad token gets connect_error", async () => {
  const socket = io(`http://127.0.0.1:${server.port}`, { transports: ["websocket"], auth: { token: "nope" } });
  const [err] = await once(socket, "connect_error");
  assert.equal(err.message, "unauthorized");
  assert.equal(err.data.code, "unauthorized");
  assert.equal(socket.active, false);
  socket.close();
});

test("reconnects after a server restart", async () => {
  const token = await login(server.port);
  const socket = io(`http://127.0.0.1:${server.port}`, { transports: ["websocket"], auth: { token } });
  await once(socket, "connect");
  const port = server.port;
  const disconnected = once(socket, "disconnect");
  await stopServer(server);
  assert.equal((await disconnected)[0], "transport close");
  server = await startServer(port);
  await once(socket, "connect");
  const ack = await socket.timeout(5000).emitWithAck("org:join", { org_id: "org-acme" });
  assert.equal(ack.ok, true);
  socket.disconnect();
});
