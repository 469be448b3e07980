// The HTTP front of the binary as a deployment sees it: bearer-token auth
// (MCP_AUTH_TOKEN), Origin checks, /healthz, per-client API keys, the
// refusal to listen beyond loopback without a token, and shutdown on
// SIGTERM with sessions still open. Raw requests use fetch; sessions use
// the TypeScript SDK.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import {
  API_KEY, BIN, REQUEST_TIMEOUT_MS, closeQuietly, connect, pickConversation, serverEnv, startFakeAPI, startServer,
} from '../lib/harness.js';
import { callIds, nextPageToken } from '../lib/structured.js';

const TOKEN = 'e2e-token-' + Math.random().toString(36).slice(2);
const opts = { timeout: REQUEST_TIMEOUT_MS };
const ALLOWED_ORIGIN = 'https://app.example.com';

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e-fetch', version: '0' } },
});

// post sends one raw JSON-RPC request to the streamable endpoint.
async function post(url, headers = {}, body = initialize) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

// openSSE opens GET /sse and resolves with its status, cancelling the body
// (a 200 is a stream that would never end).
async function openSSE(url, headers = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS);
  try {
    const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: ctl.signal });
    const status = res.status;
    if (status === 200) ctl.abort();
    else await res.text();
    return status;
  } finally {
    clearTimeout(timer);
  }
}

const bearer = (t) => ({ Authorization: `Bearer ${t}` });

let api;
let conv;
before(async () => {
  api = await startFakeAPI();
  conv = await pickConversation(api, 1);
});
after(async () => {
  await api?.stop();
});

async function callOnce(client) {
  const res = await client.callTool(
    { name: 'list_calls', arguments: { phoneNumberId: conv.phoneNumberId, participants: [conv.participant], maxResults: 5 } },
    undefined,
    opts,
  );
  assert.notEqual(res.isError, true, JSON.stringify(res.content));
  const ids = callIds(res);
  assert.ok(ids.length > 0);
  assert.equal(ids[0], conv.ids[0]);
  return res;
}

describe('streamable HTTP with MCP_AUTH_TOKEN', { timeout: 60_000 }, () => {
  let server;
  before(async () => {
    server = await startServer(api, {
      transport: 'http',
      args: ['--allowed-origins', ALLOWED_ORIGIN],
      env: { MCP_AUTH_TOKEN: TOKEN },
    });
  });
  after(async () => {
    await server?.stop('SIGKILL');
  });

  it('answers /healthz with 200 without a token', async () => {
    const res = await fetch(server.base + '/healthz', { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
  });

  it('refuses a missing or wrong token with 401', async () => {
    // Each refusal says how to get in: no bearer token at all, or one that
    // is not the server's. None echoes the token.
    const noToken = /^unauthorized: this server needs a bearer token\. .*Authorization: Bearer <token>/;
    const wrongToken = /^unauthorized: the bearer token is not this server's MCP_AUTH_TOKEN\. /;
    for (const [headers, why] of [
      [{}, noToken], [{ Authorization: TOKEN }, noToken], [{ Authorization: `Basic ${TOKEN}` }, noToken],
      [bearer('wrong'), wrongToken], [bearer(TOKEN + 'x'), wrongToken],
    ]) {
      const res = await post(server.url, headers);
      assert.equal(res.status, 401, `${JSON.stringify(headers)}: ${res.status} ${res.text}`);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.match(res.text, why, `the 401 body for ${JSON.stringify(headers)}`);
      assert.ok(!res.text.includes(TOKEN), `the 401 body echoes no token: ${res.text}`);
    }
    const get = await fetch(server.url, { headers: { Accept: 'text/event-stream' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await get.text();
    assert.equal(get.status, 401, 'GET /mcp without a token');
  });

  it('answers /.well-known/* with 404 before auth, so clients attempt no OAuth', async () => {
    for (const p of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await fetch(server.base + p, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const body = await res.text();
      assert.equal(res.status, 404, `${p} without a token: ${res.status} ${body}`);
      assert.equal(res.headers.get('www-authenticate'), null, `${p} asks for no authentication`);
      assert.match(body, /no OAuth/, `${p} says why`);
    }
  });

  it('serves a client with the right token', async () => {
    const raw = await post(server.url, bearer(TOKEN));
    assert.equal(raw.status, 200, raw.text);
    assert.match(raw.text, /"protocolVersion"/);

    const client = await connect(new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: bearer(TOKEN) },
    }));
    try {
      const { tools } = await client.listTools({}, opts);
      assert.ok(tools.some((t) => t.name === 'list_calls'));
      await callOnce(client);
    } finally {
      await closeQuietly(client);
    }
  });

  it('refuses a foreign Origin with 403, even with the token', async () => {
    for (const origin of ['http://evil.example', 'https://app.example.com.evil.example', 'null']) {
      const res = await post(server.url, { ...bearer(TOKEN), Origin: origin });
      assert.equal(res.status, 403, `Origin ${origin}: ${res.status} ${res.text}`);
    }
    const noToken = await post(server.url, { Origin: 'http://evil.example' });
    assert.ok(noToken.status === 403 || noToken.status === 401, `foreign Origin without token: ${noToken.status}`);
  });

  it('accepts loopback Origins and those of --allowed-origins', async () => {
    for (const origin of [ALLOWED_ORIGIN, server.base, 'http://localhost:6274']) {
      const res = await post(server.url, { ...bearer(TOKEN), Origin: origin });
      assert.equal(res.status, 200, `Origin ${origin}: ${res.status} ${res.text}`);
    }
  });
});

describe('streamable HTTP without a token', { timeout: 60_000 }, () => {
  let server;
  before(async () => {
    server = await startServer(api, { transport: 'http' });
  });
  after(async () => {
    await server?.stop('SIGKILL');
  });

  it('refuses a foreign Origin with 403 and serves a local client', async () => {
    assert.equal((await post(server.url, { Origin: 'http://evil.example' })).status, 403);
    assert.equal((await post(server.url)).status, 200);
  });
});

describe('SSE with MCP_AUTH_TOKEN', { timeout: 60_000 }, () => {
  let server;
  before(async () => {
    server = await startServer(api, { transport: 'sse', env: { MCP_AUTH_TOKEN: TOKEN } });
  });
  after(async () => {
    await server?.stop('SIGKILL');
  });

  it('answers /healthz with 200 without a token', async () => {
    const res = await fetch(server.base + '/healthz', { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(res.status, 200);
    await res.text();
  });

  it('refuses a missing or wrong token with 401 on /sse and /message', async () => {
    assert.equal(await openSSE(server.url), 401);
    assert.equal(await openSSE(server.url, bearer('wrong')), 401);
    const msg = await post(server.base + '/message?sessionId=x', {});
    assert.equal(msg.status, 401);
  });

  it('refuses a foreign Origin with 403', async () => {
    assert.equal(await openSSE(server.url, { ...bearer(TOKEN), Origin: 'http://evil.example' }), 403);
  });

  it('serves a client with the right token', async () => {
    assert.equal(await openSSE(server.url, bearer(TOKEN)), 200);
    const client = await connect(new SSEClientTransport(new URL(server.url), { requestInit: { headers: bearer(TOKEN) } }));
    try {
      await callOnce(client);
    } finally {
      await closeQuietly(client);
    }
  });
});

describe('--allow-client-api-keys', { timeout: 60_000 }, () => {
  let server;
  before(async () => {
    // No key of its own: every client brings one.
    server = await startServer(api, {
      transport: 'http',
      args: ['--allow-client-api-keys'],
      env: { OPENPHONE_API_KEY: undefined },
    });
  });
  after(async () => {
    await server?.stop('SIGKILL');
  });

  const clientWithKey = (key) => connect(new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: key ? { 'X-OpenPhone-Api-Key': key } : {} },
  }));

  it('uses the key the client sends, and never logs it', async () => {
    const client = await clientWithKey(API_KEY);
    try {
      await callOnce(client);
    } finally {
      await closeQuietly(client);
    }
    assert.ok(!server.stderr.includes(API_KEY), 'the client key is not in the logs');
  });

  it('answers a wrong or missing key with a tool error', async () => {
    for (const key of ['not-the-key', '']) {
      const client = await clientWithKey(key);
      try {
        const res = await client.callTool(
          { name: 'list_calls', arguments: { phoneNumberId: conv.phoneNumberId, participants: [conv.participant] } },
          undefined,
          opts,
        );
        assert.equal(res.isError, true, `key ${JSON.stringify(key)}: ${JSON.stringify(res)}`);
      } finally {
        await closeQuietly(client);
      }
    }
  });
});

describe('--stateless replicas behind a round-robin balancer', { timeout: 60_000 }, () => {
  const replicas = [];
  before(async () => {
    for (let i = 0; i < 2; i++) replicas.push(await startServer(api, { transport: 'http', args: ['--stateless'] }));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
  });

  it('answers every request whichever replica gets it', async () => {
    // The client talks to one URL; each HTTP request goes to the next
    // replica, as an ordinary load balancer without sticky sessions would.
    let next = 0;
    const hits = [0, 0];
    const balancer = (url, init) => {
      const i = next++ % replicas.length;
      hits[i]++;
      const u = new URL(url);
      u.host = new URL(replicas[i].base).host;
      return fetch(u, init);
    };
    const client = await connect(new StreamableHTTPClientTransport(new URL(replicas[0].url), { fetch: balancer }));
    try {
      const args = { phoneNumberId: conv.phoneNumberId, participants: [conv.participant], maxResults: 1 };
      const seen = [];
      let pageToken;
      for (let page = 0; page < 4; page++) {
        const res = await client.callTool({ name: 'list_calls', arguments: pageToken ? { ...args, pageToken } : args }, undefined, opts);
        assert.notEqual(res.isError, true, JSON.stringify(res.content));
        seen.push(...callIds(res));
        pageToken = nextPageToken(res);
        if (!pageToken) break;
      }
      assert.deepEqual(seen, conv.ids.slice(0, seen.length));
      assert.ok(seen.length >= Math.min(2, conv.ids.length), 'pages were followed across replicas');
      assert.ok(hits[0] > 0 && hits[1] > 0, `both replicas served requests: ${hits}`);
    } finally {
      await closeQuietly(client);
    }
  });
});

describe('process', { timeout: 60_000 }, () => {
  it('refuses to listen beyond loopback without MCP_AUTH_TOKEN', async () => {
    // It must refuse before it listens, so this never opens a port.
    const child = spawn(BIN, ['--transport', 'http', '--addr', '0.0.0.0:0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: serverEnv(api),
    });
    let stderr = '';
    child.stderr.on('data', (b) => { stderr += b; });
    const exited = once(child, 'exit');
    const res = await Promise.race([exited, sleep(5000, null, { ref: false })]);
    if (res === null) {
      child.kill('SIGKILL');
      assert.fail('it started anyway');
    }
    assert.notEqual(res[0], 0);
    assert.match(stderr, /MCP_AUTH_TOKEN/);
  });

  for (const transport of ['http', 'sse']) {
    it(`lets a ${transport} call in flight finish on SIGTERM, then exits`, async () => {
      // Every API response takes 1s, so the call is still running when the
      // signal arrives; the grace period (10s) lets it finish.
      const slowAPI = await startFakeAPI({ latencyMs: 1000 });
      const server = await startServer(slowAPI, { transport });
      const url = new URL(server.url);
      const client = await connect(transport === 'sse' ? new SSEClientTransport(url) : new StreamableHTTPClientTransport(url));
      try {
        let answeredAt = 0;
        const call = client.callTool(
          { name: 'list_calls', arguments: { phoneNumberId: conv.phoneNumberId, participants: [conv.participant], maxResults: 5 } },
          undefined,
          opts,
        ).finally(() => { answeredAt = Date.now(); });
        await sleep(300);
        assert.equal(answeredAt, 0, 'the call is still in flight when SIGTERM is sent');
        const stopped = server.stop('SIGTERM', 15_000);
        const res = await call;
        assert.notEqual(res.isError, true, JSON.stringify(res.content));
        assert.equal(callIds(res)[0], conv.ids[0]);
        const { code } = await stopped;
        assert.equal(code, 0, `exit status; stderr:\n${server.stderr}`);
      } finally {
        await closeQuietly(client);
        await server.stop('SIGKILL').catch(() => {});
        await slowAPI.stop();
      }
    });

    it(`stops promptly and cleanly on SIGTERM with a ${transport} session open`, async () => {
      const server = await startServer(api, { transport });
      const url = new URL(server.url);
      const client = await connect(transport === 'sse' ? new SSEClientTransport(url) : new StreamableHTTPClientTransport(url));
      try {
        await callOnce(client);
        // Let the streamable client open its standalone GET stream.
        await sleep(200);
        const started = Date.now();
        const { code } = await server.stop('SIGTERM', 15_000);
        const took = Date.now() - started;
        assert.equal(code, 0, `exit status; stderr:\n${server.stderr}`);
        // The grace period (--shutdown-timeout, 10s) is for calls in flight;
        // open streams must not hold the process up until it ends. The
        // bound is not tighter because Go's http.Server.Shutdown counts a
        // connection that has not sent a request yet as busy for up to 5s,
        // and Node's connection pool sometimes leaves one such behind.
        assert.ok(took < 7000, `exit took ${took}ms; stderr:\n${server.stderr}`);
        assert.match(server.stderr, /server stopped/);
      } finally {
        await closeQuietly(client);
        await server.stop('SIGKILL').catch(() => {});
      }
    });
  }
});
