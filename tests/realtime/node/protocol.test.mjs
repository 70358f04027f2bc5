// Engine.IO v4 / Socket.IO v5 conformance over a raw WebSocket (`ws`), modelled on the
// cases of the socket.io-protocol test-suite (not published on npm) for a websocket-only
// server with the suite's timings: pingInterval 300, pingTimeout 200, connectTimeout 1000.
// Where our server differs from the suite's reference server on purpose it says so:
// authentication is required, there is no "/custom" namespace, and binary packets
// (which Callboard never uses) close the connection.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startHarness, stopHarness, request } from "./harness.mjs";

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
let harness;
before(async () => {
  harness = await startHarness(["--ping-interval", String(PING_INTERVAL), "--ping-timeout", String(PING_TIMEOUT),
    "--connect-timeout", "1000"]);
});
after(async () => { await stopHarness(harness); });

const wsUrl = (query = "EIO=4&transport=websocket") => `ws://127.0.0.1:${harness.port}/socket.io/?${query}`;

/** A raw client that queues text messages, answers pings unless told not to. */
function open(query, { pong = true } = {}) {
  const socket = new WebSocket(wsUrl(query));
  const queue = [];
  const waiters = [];
  socket.on("error", () => {});
  socket.on("message", (data, isBinary) => {
    const text = isBinary ? data : data.toString();
    if (text === "2" && pong) socket.send("3");
    if (text === "2") socket.pings = (socket.pings || 0) + 1;
    if (text === "2") return;
    if (waiters.length) waiters.shift()(text); else queue.push(text);
  });
  socket.next = (ms = 3000) => new Promise((resolve, reject) => {
    if (queue.length) return resolve(queue.shift());
    const timer = setTimeout(() => reject(new Error("no message")), ms);
    waiters.push((m) => { clearTimeout(timer); resolve(m); });
  });
  socket.closed = new Promise((resolve) => socket.on("close", (code) => resolve(code)));
  return socket;
}

async function connected(token = "tok-acme") {
  const socket = open();
  await socket.next(); // Engine.IO handshake
  socket.send(`40${JSON.stringify({ token })}`);
  const reply = await socket.next();
  assert.match(reply, /^40\{"sid":"[\w-]{20}"\}$/);
  return socket;
}

const elapsedUntilClose = async (socket) => { const t = Date.now(); await socket.closed; return Date.now() - t; };

test("handshake: open packet", async () => {
  const socket = open();
  const data = await socket.next();
  assert.ok(data.startsWith("0"));
  const value = JSON.parse(data.substring(1));
  assert.deepEqual(Object.keys(value).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]);
  assert.equal(typeof value.sid, "string");
  assert.deepEqual(value.upgrades, []);
  assert.equal(value.pingInterval, PING_INTERVAL);
  assert.equal(value.pingTimeout, PING_TIMEOUT);
  assert.equal(value.maxPayload, 1000000);
  socket.close();
});

test("handshake: invalid EIO closes without an open packet", async () => {
  for (const query of ["transport=websocket", "EIO=abc&transport=websocket", "EIO=3&transport=websocket"]) {
    const socket = open(query);
    const code = await socket.closed;
    assert.equal(code, 1006, query);
  }
});

test("handshake: invalid transport is refused", async () => {
  for (const query of ["EIO=4", "EIO=4&transport=abc", "EIO=4&transport=polling"]) {
    const socket = new WebSocket(wsUrl(query));
    const status = await new Promise((resolve) => {
      socket.on("unexpected-response", (req, res) => resolve(res.statusCode));
      socket.on("error", () => resolve("error"));
    });
    assert.equal(status, 400, query);
  }
});

test("HTTP: polling and bad methods get engine.io's 400", async () => {
  const polling = await request(harness.port, "GET", "/socket.io/?EIO=4&transport=polling");
  assert.equal(polling.status, 400);
  assert.equal(polling.headers["content-type"], "application/json");
  assert.equal(polling.body, '{"code":0,"message":"Transport unknown"}');
  for (const method of ["POST", "PUT"]) {
    const res = await request(harness.port, method, "/socket.io/?EIO=4&transport=polling");
    assert.equal(res.status, 400);
  }
  const sid = await request(harness.port, "GET", "/socket.io/?EIO=4&transport=websocket&sid=abc");
  assert.equal(sid.body, '{"code":1,"message":"Session ID unknown"}');
});

test("heartbeat: server pings, a pong keeps the session", async () => {
  const socket = await connected();
  await new Promise((r) => setTimeout(r, 3 * PING_INTERVAL + 100));
  assert.ok(socket.pings >= 2, `pings: ${socket.pings}`);
  assert.equal(socket.readyState, WebSocket.OPEN);
  socket.close();
});

test("heartbeat: no pong closes after pingInterval + pingTimeout", async () => {
  const socket = open(undefined, { pong: false });
  await socket.next();
  const elapsed = await elapsedUntilClose(socket);
  assert.ok(elapsed >= PING_INTERVAL + PING_TIMEOUT - 50 && elapsed < 2000, `closed after ${elapsed} ms`);
});

test("heartbeat: a client ping closes (invalid heartbeat direction)", async () => {
  const socket = open();
  await socket.next();
  socket.send("2");
  await socket.closed;
});

test("close: an Engine.IO close packet over WebSocket is ignored, like stock", async () => {
  const socket = await connected();
  socket.send("1");
  socket.send('42456["org:join",{"org_id":"acme"}]');
  assert.match(await socket.next(), /^43456\[\{"last_seq":\d+,"ok":true\}\]$/);
  socket.close();
});

test("connect: main namespace with a payload", async () => {
  const socket = await connected();
  socket.close();
});

test("connect: without auth is refused, the session stays usable", async () => {
  const socket = open();
  await socket.next();
  socket.send("40");
  assert.equal(await socket.next(), '44{"data":{"code":"missing_token"},"message":"unauthorized"}');
  socket.send('40{"token":"tok-acme"}');
  assert.match(await socket.next(), /^40\{"sid":/);
  socket.close();
});

test("connect: unknown namespace", async () => {
  const socket = open();
  await socket.next();
  socket.send("40/random");
  assert.equal(await socket.next(), '44/random,{"message":"Invalid namespace"}');
  socket.send('40/custom,{"token":"tok-acme"}');
  assert.equal(await socket.next(), '44/custom,{"message":"Invalid namespace"}');
  socket.close();
});

test("connect: invalid handshake packets close", async () => {
  for (const packet of ["4abc", "42{}", '42abc["x"]', "41{}", "", "7", '42["disconnect"]']) {
    const socket = open();
    await socket.next();
    socket.send(packet);
    await socket.closed;
  }
});

test("connect: nothing within connectTimeout closes", async () => {
  const socket = open();
  await socket.next();
  const elapsed = await elapsedUntilClose(socket);
  assert.ok(elapsed >= 900 && elapsed < 3000, `closed after ${elapsed} ms`);
});

test("disconnect: 41 from the main namespace closes", async () => {
  const socket = await connected();
  socket.send("41");
  await socket.closed;
});

test("message: acks with large ids", async () => {
  const socket = await connected();
  socket.send('42456["org:join",{"org_id":"acme"}]');
  assert.match(await socket.next(), /^43456\[\{"last_seq":\d+,"ok":true\}\]$/);
  assert.match(await socket.next(), /^42\["metrics:updated",\{/); // sent right after a join
  socket.send('42123456789["org:leave",{"org_id":"acme"}]');
  assert.equal(await socket.next(), '43123456789[{"ok":true}]');
  socket.close();
});

test("message: unknown events are ignored", async () => {
  const socket = await connected();
  socket.send('42["message",1,"2",{"3":[true]}]');
  socket.send('421["message-with-ack",1]');
  socket.send('422["org:leave",{"org_id":"acme"}]');
  assert.equal(await socket.next(), '432[{"ok":true}]');
  socket.close();
});

test("message: oversize frame closes with 1009", async () => {
  const socket = await connected();
  socket.send(`42["x","${"a".repeat(1000001)}"]`);
  assert.equal(await socket.closed, 1009);
});

test("message: binary packets close (not supported)", async () => {
  const socket = await connected();
  socket.send('451-["message",{"_placeholder":true,"num":0}]');
  socket.send(Uint8Array.from([1, 2, 3]));
  await socket.closed;
});

test("a misbehaving client does not disturb others", async () => {
  const good = await connected();
  const bad = await connected();
  bad.send("42{}");
  await bad.closed;
  good.send('421["org:join",{"org_id":"acme"}]');
  assert.match(await good.next(), /^431\[/);
  good.close();
});
