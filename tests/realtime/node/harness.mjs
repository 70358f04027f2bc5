// Starts and stops the hub harness (or callboard-server) for the interop tests.
import { spawn } from "node:child_process";
import http from "node:http";

export function startHarness(args = []) {
  const binary = process.env.CALLBOARD_HUB_HARNESS;
  if (!binary) throw new Error("CALLBOARD_HUB_HARNESS is not set");
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("harness did not start")), 10000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.on("exit", (code) => reject(new Error(`harness exited with ${code}`)));
  });
}

export function stopHarness(harness) {
  return new Promise((resolve) => {
    if (harness.child.exitCode !== null) return resolve();
    harness.child.once("exit", () => resolve());
    harness.child.kill("SIGKILL");
  });
}

export function request(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      { host: "127.0.0.1", port, method, path, agent: false,
        headers: data ? { "content-type": "application/json", "content-length": data.length } : {} },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      });
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

export function sampleCall(id, orgId, status = "in_progress") {
  return { id, org_id: orgId, provider: "vapi", status, transcript: "not pushed" };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
