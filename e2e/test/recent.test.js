// recent_calls through the real SDK client over stdio, on each API surface:
// Quo's dated calls API (the default), v1 pinned with --api-version v1, and
// the fallback to v1 when the API has no dated surface; the status filter
// and the Source line that says which surface answered.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { API_KEY, BIN, REQUEST_TIMEOUT_MS, closeQuietly, connect, serverEnv, startFakeAPI } from '../lib/harness.js';
import { calls as callsOf, nextPageToken } from '../lib/structured.js';

const opts = { timeout: REQUEST_TIMEOUT_MS };
const missed = new Set(['missed', 'no-answer', 'abandoned']);

async function session(api, args = []) {
  const transport = new StdioClientTransport({ command: BIN, args, env: serverEnv(api), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (b) => { stderr += b; });
  const client = await connect(transport);
  return {
    client,
    stderr: () => stderr,
    stop: async () => {
      await closeQuietly(client);
      assert.ok(!stderr.includes(API_KEY), 'the API key never appears in the logs');
    },
  };
}

// pageAll pages recent_calls with args and returns every page's result.
async function pageAll(client, args) {
  const pages = [];
  let pageToken;
  do {
    const res = await client.callTool({ name: 'recent_calls', arguments: pageToken ? { ...args, pageToken } : args }, undefined, opts);
    assert.notEqual(res.isError, true, `page ${pages.length + 1}: ${JSON.stringify(res.content)}`);
    pages.push(res);
    pageToken = nextPageToken(res);
    assert.ok(pages.length < 50, 'paging ends');
  } while (pageToken);
  return pages;
}

const week = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();

for (const surface of [
  { name: 'dated (default)', args: [], datedOff: false, source: /^Source: Quo calls API 2026-03-30, \d+ API requests?\.$/m },
  { name: 'v1 (--api-version v1)', args: ['--api-version', 'v1'], datedOff: false, source: /^Source: v1 conversation walk \(group calls not listed\), \d+ API requests?\.$/m },
  { name: 'fallback (no dated API)', args: [], datedOff: true, source: /^Source: v1 conversation walk \(group calls not listed; this API has no dated calls API\), \d+ API requests?\.$/m },
]) {
  describe(`recent_calls on ${surface.name}`, { timeout: 120_000 }, () => {
    let api;
    let s;
    after(async () => {
      await s?.stop();
      await api?.stop();
    });

    it('lists exactly the missed calls of a week, each once, newest first, and says which surface answered', async () => {
      api = await startFakeAPI({ datedOff: surface.datedOff });
      s = await session(api, surface.args);
      const pages = await pageAll(s.client, { createdAfter: week, status: ['missed'], maxResults: 100 });
      const calls = pages.flatMap((p) => callsOf(p));
      assert.ok(calls.length > 10, `a week of the demo has missed calls (got ${calls.length})`);
      const ids = new Set(calls.map((c) => c.id));
      assert.equal(ids.size, calls.length, 'each call once');
      for (const c of calls) assert.ok(missed.has(c.status), `${c.id} is ${c.status}, not a missed call`);
      for (let i = 1; i < calls.length; i++) {
        assert.ok(calls[i - 1].createdAt >= calls[i].createdAt, `newest first at ${calls[i].id}`);
      }
      const first = pages[0];
      const text = first.content.find((c) => c.type === 'text')?.text ?? '';
      assert.match(text, surface.source);
      assert.deepEqual(first.structuredContent.status, ['abandoned', 'missed', 'no-answer']);
    });
  });
}
