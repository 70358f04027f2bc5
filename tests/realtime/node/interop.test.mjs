// The official socket.io-client 4.8 against the hub (harness process).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startHarness, stopHarness, request, sampleCall, sleep } from "./harness.mjs";

let harness;
before(async () => { harness = await startHarness(); });
after(async () => { await stopHarness(harness); });

const url = () => `http://127.0.0.1:${harness.port}`;
const once = (emitter, event) => new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));

test("connects with auth, joins, receives call:updated and metrics", async () => {
  const socket = io(url(), { transports: ["websocket"], auth: { token: "tok-acme" }, reconnection: false });
  await once(socket, "connect");
  assert.ok(socket.id);
  const metrics = once(socket, "metrics:updated");
  const ack = await socket.timeout(5000).emitWithAck("org:join", { org_id: "acme" });
  assert.equal(ack.ok, true);
  assert.equal(typeof ack.last_seq, "number");
  const [snapshot] = await metrics;
  assert.equal(snapshot.org_id, "acme");

  const updated = once(socket, "call:updated");
  const emitted = await request(harness.port, "POST", "/emit",
    { org_id: "acme", seq: 7, kind: "updated", call: sampleCall("c-1", "acme") });
  assert.equal(emitted.status, 200);
  const [event] = await updated;
  assert.equal(event.seq, 7);
  assert.equal(event.org_id, "acme");
  assert.equal(event.call.id, "c-1");
  assert.equal(event.call.status, "in_progress");
  assert.equal(event.call.transcript, undefined);

  const refused = await socket.timeout(5000).emitWithAck("org:join", { org_id: "globex" });
  assert.deepEqual(refused, { ok: false, error: { code: "forbidden", message: "not a member" } });
  socket.disconnect();
});

test("events arrive in seq order, only to the org's room", async () => {
  const acme = io(url(), { transports: ["websocket"], auth: { token: "tok-acme" }, reconnection: false });
  const globex = io(url(), { transports: ["websocket"], auth: { token: "tok-globex" }, reconnection: false });
  await Promise.all([once(acme, "connect"), once(globex, "connect")]);
  await acme.emitWithAck("org:join", { org_id: "acme" });
  await globex.emitWithAck("org:join", { org_id: "globex" });
  const seen = { acme: [], globex: [] };
  acme.on("call:updated", (e) => seen.acme.push(e.seq));
  acme.on("call:created", (e) => seen.acme.push(e.seq));
  acme.on("call:deleted", (e) => seen.acme.push(e.seq));
  globex.on("call:updated", (e) => seen.globex.push(e.seq));
  for (let seq = 10; seq < 30; ++seq) {
    const kind = seq === 10 ? "created" : seq === 29 ? "deleted" : "updated";
    await request(harness.port, "POST", "/emit", { org_id: "acme", seq, kind, call: sampleCall("c-2", "acme") });
  }
  const deadline = Date.now() + 5000;
  while (seen.acme.length < 20 && Date.now() < deadline) await sleep(20);
  assert.deepEqual(seen.acme, Array.from({ length: 20 }, (_, i) => 10 + i));
  assert.deepEqual(seen.globex, []);
  acme.disconnect();
  globex.disconnect();
});

test("a bad token gets connect_error with its code and no retry", async () => {
  const socket = io(url(), { transports: ["websocket"], auth: { token: "nope" } });
  const [err] = await once(socket, "connect_error");
  assert.equal(err.message, "unauthorized");
  assert.deepEqual(err.data, { code: "invalid_token" });
  assert.equal(socket.active, false);
  socket.close();
});

test("reconnects after a server restart", async () => {
  const socket = io(url(), { transports: ["websocket"], auth: { token: "tok-acme" } });
  await once(socket, "connect");
  const firstId = socket.id;
  const port = harness.port;
  const disconnected = once(socket, "disconnect");
  await stopHarness(harness);
  const [reason] = await disconnected;
  assert.equal(reason, "transport close");
  harness = await startHarness(["--port", String(port)]);
  await once(socket, "connect");
  assert.notEqual(socket.id, firstId);
  const ack = await socket.timeout(5000).emitWithAck("org:join", { org_id: "acme" });
  assert.equal(ack.ok, true);
  socket.disconnect();
});
