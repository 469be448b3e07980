// call_stats and missed_calls through the real SDK client over stdio, on
// the dated API and on v1: the counts agree with what recent_calls lists
// for the same window, the worklist's callers are exactly the missed
// callers of the listing, and the structured content carries the text's
// facts.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { API_KEY, BIN, REQUEST_TIMEOUT_MS, closeQuietly, connect, serverEnv, startFakeAPI } from '../lib/harness.js';
import { calls, counted, missedCallers, nextPageToken } from '../lib/structured.js';

const opts = { timeout: REQUEST_TIMEOUT_MS };
const missedStatuses = new Set(['missed', 'no-answer', 'abandoned']);

async function call(client, name, args) {
  const res = await client.callTool({ name, arguments: args }, undefined, opts);
  assert.notEqual(res.isError, true, `${name}: ${JSON.stringify(res.content)}`);
  return res;
}

async function listAll(client, args) {
  const all = [];
  let pageToken;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 100, 'paging ends');
    const res = await call(client, 'recent_calls', pageToken ? { ...args, pageToken } : args);
    all.push(...calls(res));
    pageToken = nextPageToken(res);
    if (!pageToken) return all;
  }
}

for (const surface of [
  { name: 'dated (default)', args: [] },
  { name: 'v1 (--api-version v1)', args: ['--api-version', 'v1'] },
]) {
  describe(`call_stats and missed_calls on ${surface.name}`, { timeout: 120_000 }, () => {
    let api;
    let client;
    let stderr = '';
    after(async () => {
      await closeQuietly(client);
      await api?.stop();
      assert.ok(!stderr.includes(API_KEY), 'the API key never appears in the logs');
    });

    it('counts what recent_calls lists, and lists the missed callers recent_calls shows', async () => {
      api = await startFakeAPI({});
      const transport = new StdioClientTransport({ command: BIN, args: [...surface.args, '--timezone', 'America/Denver'], env: serverEnv(api), stderr: 'pipe' });
      transport.stderr?.on('data', (b) => { stderr += b; });
      client = await connect(transport);

      // A closed window, so that both tools see the same calls.
      const before = new Date(Math.floor(Date.now() / 60000) * 60000 - 60000).toISOString();
      const createdAfter = new Date(Date.parse(before) - 3 * 24 * 3600 * 1000).toISOString();
      const window = { createdAfter, createdBefore: before };

      const stats = await call(client, 'call_stats', { ...window, groupBy: ['user'] });
      const s = stats.structuredContent;
      assert.equal(s.tz, 'America/Denver');
      const count = counted(stats);
      assert.equal(count.complete, true, 'every call of the window was counted');
      const listed = await listAll(client, { ...window, maxResults: 100 });
      assert.ok(listed.length > 20, `the demo has calls in 3 days (got ${listed.length})`);
      assert.equal(count.calls, listed.length, 'call_stats counts every call recent_calls lists');
      assert.equal(s.total[0], listed.length);
      const rowsTotal = s.rows.reduce((n, r) => n + r[1], 0);
      assert.equal(rowsTotal, s.total[0], 'the rows add up to the total');
      const incomingMissed = listed.filter((c) => c.direction === 'incoming' && missedStatuses.has(c.status)).length;
      assert.equal(s.total[s.columns.indexOf('missed') - 1], incomingMissed, 'missed = incoming missed, no-answer, abandoned');
      const text = stats.content.find((c) => c.type === 'text').text;
      assert.match(text, /^user \| calls \| in \| out \|/m);
      assert.match(text, /America\/Denver/);

      const worklist = await call(client, 'missed_calls', { ...window, onlyUnreturned: false, maxResults: 100 });
      const w = worklist.structuredContent;
      const missed = missedCallers(worklist);
      const callers = new Set(listed.filter((c) => c.direction === 'incoming' && missedStatuses.has(c.status)).map((c) => c.with));
      assert.deepEqual(new Set(missed.map((c) => c.number)), callers, 'one entry per missed caller');
      assert.equal(w.missed, callers.size);
      const attempts = missed.reduce((n, c) => n + c.attempts, 0);
      assert.equal(attempts, incomingMissed, 'every miss is one attempt of its caller');
      for (let i = 1; i < missed.length; i++) {
        assert.ok(missed[i - 1].lastMissedAt >= missed[i].lastMissedAt, 'newest miss first');
      }
      const unreturned = missed.filter((c) => !c.returned).length;
      assert.equal(w.unreturned, unreturned);
    });
  });
}
