// The MCP Inspector's CLI (a real, independent client) against the binary
// over stdio, streamable HTTP and SSE. The Inspector needs Node >= 22.19, so
// it runs on Node 22 (see node22 in lib/harness.js).
// It does not pass its environment to a stdio server: the key and the API
// root go in with -e. HOME is a temporary directory: the Inspector keeps
// state under ~/.mcp-inspector.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { BIN, E2E_DIR, node22, pickConversation, startFakeAPI, startServer } from '../lib/harness.js';
import { callIds } from '../lib/structured.js';

const INSPECTOR = path.join(E2E_DIR, 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js');
const TOKEN = 'e2e-inspector-token';

let home;
let api;
let conv;
let NODE22;
before(async () => {
  NODE22 = node22();
  home = mkdtempSync(path.join(os.tmpdir(), 'openphone-mcp-inspector-'));
  api = await startFakeAPI();
  conv = await pickConversation(api, 3);
});
after(async () => {
  await api?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

// inspector runs `mcp-inspector --cli ...args --format json` and resolves
// with its exit status and parsed output.
function inspector(args) {
  return new Promise((resolve) => {
    execFile(NODE22, [INSPECTOR, '--cli', ...args, '--format', 'json'], {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, NO_COLOR: '1' },
      timeout: 30_000,
      killSignal: 'SIGKILL',
      maxBuffer: 16 << 20,
    }, (err, stdout, stderr) => {
      const code = err ? (err.killed ? 'killed (timeout)' : err.code) : 0;
      let json;
      try {
        json = JSON.parse(stdout || stderr.trim().split('\n').pop() || 'null');
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json, what: `mcp-inspector --cli ${args.join(' ')}` });
    });
  });
}

const explain = (r) => `${r.what}\nexit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`;

function checkToolsList(r) {
  assert.equal(r.code, 0, explain(r));
  const tool = r.json?.result?.tools?.find((t) => t.name === 'list_calls');
  assert.ok(tool, explain(r));
  assert.equal(tool.annotations?.readOnlyHint, true);
  assert.equal(tool.annotations?.destructiveHint, false);
}

function checkCall(r, n) {
  assert.equal(r.code, 0, explain(r));
  const res = r.json?.result;
  assert.notEqual(res?.isError, true, explain(r));
  assert.deepEqual(callIds(res), conv.ids.slice(0, n), explain(r));
  const text = res.content.map((c) => c.text).join('\n');
  for (const id of conv.ids.slice(0, n)) assert.ok(text.includes(id), explain(r));
}

function checkToolError(r) {
  assert.equal(r.code, 5, `exit 5 means the tool answered isError: ${explain(r)}`);
  assert.equal(r.json?.result?.isError, true, explain(r));
  assert.match(r.json.result.content[0].text, /maxResults/);
}

// Array arguments go in as JSON values with --tool-arg, or whole with
// --tool-args-json; both are checked.
const callArgs = (max) => [
  '--method', 'tools/call', '--tool-name', 'list_calls',
  '--tool-arg', `phoneNumberId=${conv.phoneNumberId}`, `participants=${JSON.stringify([conv.participant])}`, `maxResults=${max}`,
];
const callArgsJSON = (max) => [
  '--method', 'tools/call', '--tool-name', 'list_calls',
  '--tool-args-json', JSON.stringify({ phoneNumberId: conv.phoneNumberId, participants: [conv.participant], maxResults: max }),
];

describe('Inspector CLI over stdio', { timeout: 120_000 }, () => {
  const target = () => [BIN, '-e', `OPENPHONE_API_KEY=${api.apiKey}`, '-e', `OPENPHONE_BASE_URL=${api.url}`];

  it('tools/list', async () => {
    checkToolsList(await inspector([...target(), '--method', 'tools/list']));
  });
  it('tools/call list_calls (--tool-arg)', async () => {
    checkCall(await inspector([...target(), ...callArgs(3)]), 3);
  });
  it('tools/call list_calls with maxResults 0 is a tool error (exit 5)', async () => {
    checkToolError(await inspector([...target(), ...callArgs(0)]));
  });
});

for (const transport of ['http', 'sse']) {
  describe(`Inspector CLI over ${transport === 'http' ? 'streamable HTTP' : 'SSE'} with MCP_AUTH_TOKEN`, { timeout: 120_000 }, () => {
    let server;
    before(async () => {
      server = await startServer(api, { transport, env: { MCP_AUTH_TOKEN: TOKEN } });
    });
    after(async () => {
      await server?.stop('SIGKILL');
    });
    const target = () => [server.url, '--header', `Authorization: Bearer ${TOKEN}`];

    it('tools/list', async () => {
      checkToolsList(await inspector([...target(), '--method', 'tools/list']));
    });
    it('tools/call list_calls (--tool-args-json)', async () => {
      checkCall(await inspector([...target(), ...callArgsJSON(2)]), 2);
    });
    it('tools/call list_calls with maxResults 0 is a tool error (exit 5)', async () => {
      checkToolError(await inspector([...target(), ...callArgs(0)]));
    });
    it('without the token it is refused', async () => {
      const r = await inspector([server.url, '--stored-auth-only', '--method', 'tools/list']);
      assert.notEqual(r.code, 0, explain(r));
      assert.equal(r.json?.result, undefined, explain(r));
    });
  });
}
