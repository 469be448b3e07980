// The local ledger through the built binary: `openphone-mcp sync` against
// the fake API fills a ledger file, the server then answers from it
// (search_calls finds what was said; call_stats says it answered from the
// ledger), `ledger status` reads it and `ledger purge` deletes it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { API_KEY, BIN, REQUEST_TIMEOUT_MS, closeQuietly, connect, serverEnv, startFakeAPI } from '../lib/harness.js';
import { hits } from '../lib/structured.js';

const run = promisify(execFile);
const opts = { timeout: REQUEST_TIMEOUT_MS };

describe('the local ledger', { timeout: 180_000 }, () => {
  let api;
  let client;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openphone-mcp-ledger-'));
  const file = path.join(dir, 'workspace.db');
  after(async () => {
    await closeQuietly(client);
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs with the CLI, answers from the ledger, and is deleted by purge', async () => {
    api = await startFakeAPI({ rate: 10 });
    const env = serverEnv(api, { OPENPHONE_LEDGER: file });
    const sync = await run(BIN, ['sync', '--days', '7'], { env, timeout: 150_000 });
    assert.match(sync.stderr, /^Synced the last 7 days in .*: \d+ calls read \(\d+ in the ledger\), \d+ settled, \d+ transcripts, \d+ API requests/m);
    assert.ok(!sync.stderr.includes(API_KEY) && !sync.stdout.includes(API_KEY), 'the key never shows');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the ledger file is mode 0600');

    const status = await run(BIN, ['ledger', 'status'], { env, timeout: 20_000 });
    assert.match(status.stdout, /calls: +[1-9]\d*, from /);

    const transport = new StdioClientTransport({ command: BIN, args: ['--ledger-days', '7'], env, stderr: 'pipe' });
    client = await connect(transport);
    const res = await client.callTool({ name: 'search_calls', arguments: { query: 'refund' } }, undefined, opts);
    assert.notEqual(res.isError, true, JSON.stringify(res.content));
    const text = res.content.find((c) => c.type === 'text').text;
    assert.ok(res.structuredContent.total > 0, `the demo's week has calls about a refund:\n${text}`);
    assert.match(text, /«refund/i, 'the match is marked');
    const found = hits(res);
    assert.ok(found.length > 0 && found.length <= res.structuredContent.total, `${found.length} hits of ${res.structuredContent.total}`);
    assert.ok(found.some((h) => /«refund/i.test(h.passage)), 'a hit\'s passage marks the match');
    for (const h of found) assert.ok(text.includes(h.id), `the text shows hit ${h.id}`);
    assert.match(text, /^Searched: \d+ calls since /m);
    const stats = await client.callTool({ name: 'call_stats', arguments: { groupBy: ['day'] } }, undefined, opts);
    assert.notEqual(stats.isError, true, JSON.stringify(stats.content));
    assert.match(stats.content.find((c) => c.type === 'text').text, /, from the local ledger, synced \d+ s ago:/);
    await closeQuietly(client);
    client = undefined;

    const purge = await run(BIN, ['ledger', 'purge'], { env, timeout: 20_000 });
    assert.match(purge.stdout, /^Deleted the ledger /);
    assert.ok(!existsSync(file), 'purge deletes the file');
  });
});
