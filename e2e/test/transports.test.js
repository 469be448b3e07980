// The binary driven by the official TypeScript SDK client over each
// transport a real MCP client uses: stdio, SSE, streamable HTTP and
// stateless streamable HTTP. The same checks run on each.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import {
  API_KEY, BIN, REQUEST_TIMEOUT_MS, closeQuietly, connect, pickConversation, serverEnv, startFakeAPI, startServer,
} from '../lib/harness.js';
import { callIds, header, nextPageToken } from '../lib/structured.js';

const opts = { timeout: REQUEST_TIMEOUT_MS };

let api;
let conv;
before(async () => {
  api = await startFakeAPI();
  conv = await pickConversation(api, 12);
});
after(async () => {
  await api?.stop();
});

// transportSuite runs the common checks over the session open() returns.
// open resolves with { client, stop }: stop ends the session and whatever
// process serves it.
function transportSuite(name, open) {
  describe(name, { timeout: 60_000 }, () => {
    let session;
    before(async () => {
      session = await open();
    });
    after(async () => {
      await session?.stop();
    });

    it('lists list_calls with its annotations and schemas', async () => {
      const { tools } = await session.client.listTools({}, opts);
      const tool = tools.find((t) => t.name === 'list_calls');
      assert.ok(tool, `list_calls missing from ${tools.map((t) => t.name).join(', ')}`);
      assert.ok(tool.description.length > 20, 'list_calls has a real description');
      assert.deepEqual(
        {
          readOnlyHint: tool.annotations?.readOnlyHint,
          destructiveHint: tool.annotations?.destructiveHint,
          idempotentHint: tool.annotations?.idempotentHint,
          openWorldHint: tool.annotations?.openWorldHint,
        },
        { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
      );
      assert.equal(tool.inputSchema.type, 'object');
      for (const p of ['phoneNumberId', 'participants', 'maxResults', 'pageToken']) {
        assert.ok(tool.inputSchema.properties?.[p], `inputSchema has ${p}`);
      }
      assert.ok(tool.inputSchema.required?.includes('participants'), 'participants is required');
      assert.equal(tool.outputSchema?.type, 'object', 'list_calls declares an outputSchema');
    });

    it('pages through every call of a conversation exactly once', async () => {
      const args = { phoneNumberId: conv.phoneNumberId, participants: [conv.participant], maxResults: 10 };
      const seen = [];
      let pageToken;
      let pages = 0;
      do {
        const res = await session.client.callTool(
          { name: 'list_calls', arguments: pageToken ? { ...args, pageToken } : args },
          undefined,
          opts,
        );
        pages++;
        assert.notEqual(res.isError, true, `page ${pages} is an error: ${JSON.stringify(res.content)}`);
        const text = res.content.find((c) => c.type === 'text')?.text ?? '';
        const head = header(res);
        assert.equal(head.phoneNumberId, conv.phoneNumberId);
        assert.equal(head.participant, conv.participant);
        const ids = callIds(res);
        assert.ok(ids.length > 0 && ids.length <= 10, `page ${pages} has ${ids.length} calls`);
        for (const id of ids) {
          assert.ok(text.includes(id), `the text of page ${pages} shows ${id}`);
          seen.push(id);
        }
        pageToken = nextPageToken(res);
        if (pageToken) assert.ok(text.includes(pageToken), 'the text gives the next pageToken too');
        assert.ok(pages <= 50, 'paging ends');
      } while (pageToken);
      assert.ok(pages >= 2, `${conv.ids.length} calls should span pages`);
      assert.equal(new Set(seen).size, seen.length, 'no call is listed twice');
      assert.deepEqual(seen, conv.ids, 'every call of the conversation, newest first, as the API has them');
    });

    it('answers bad arguments with a tool error, not a protocol error', async () => {
      const good = { phoneNumberId: conv.phoneNumberId, participants: [conv.participant] };
      const cases = [
        [{ ...good, maxResults: 0 }, /maxResults/],
        [{ ...good, maxResults: 101 }, /maxResults/],
        [{ ...good, participants: [conv.participant, '+12125550100'] }, /participant/i],
        [{ ...good, phoneNumberId: 'not-an-id' }, /phoneNumberId/],
        [{ ...good, createdAfter: 'yesterday-ish' }, /createdAfter/],
        // Well-formed but not a number of this workspace: the API says 403,
        // which is still the model's problem to fix, not a protocol error.
        [{ ...good, phoneNumberId: 'PNnotours00' }, /PNnotours00|phone number/i],
      ];
      for (const [args, want] of cases) {
        const res = await session.client.callTool({ name: 'list_calls', arguments: args }, undefined, opts);
        assert.equal(res.isError, true, `${JSON.stringify(args)} should be a tool error, got ${JSON.stringify(res)}`);
        const text = res.content.map((c) => c.text ?? '').join('\n');
        assert.match(text, want, `the message for ${JSON.stringify(args)} explains it: ${text}`);
      }
      // The session is still usable afterwards.
      await session.client.ping(opts);
    });
  });
}

transportSuite('stdio', async () => {
  const transport = new StdioClientTransport({
    command: BIN,
    args: ['--log-level', 'debug'],
    env: serverEnv(api),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (b) => { stderr += b; });
  const client = await connect(transport);
  return {
    client,
    stop: async () => {
      await closeQuietly(client);
      assert.ok(!stderr.includes(API_KEY), 'the API key never appears in the logs');
    },
  };
});

function httpSuite(name, transport, args, makeTransport) {

  transportSuite(name, async () => {
    const server = await startServer(api, { transport, args });
    try {
      const client = await connect(makeTransport(new URL(server.url)));
      return {
        client,
        stop: async () => {
          await closeQuietly(client);
          const { code } = await server.stop('SIGTERM');
          assert.equal(code, 0, `exit status after SIGTERM; stderr:\n${server.stderr}`);
          assert.ok(!server.stderr.includes(API_KEY), 'the API key never appears in the logs');
        },
      };
    } catch (err) {
      await server.stop('SIGKILL').catch(() => {});
      throw err;
    }
  });
}

httpSuite('SSE (/sse + /message)', 'sse', [], (url) => new SSEClientTransport(url));
httpSuite('streamable HTTP (/mcp)', 'http', [], (url) => new StreamableHTTPClientTransport(url));
httpSuite('stateless streamable HTTP (/mcp --stateless)', 'http', ['--stateless'],
  (url) => new StreamableHTTPClientTransport(url));
