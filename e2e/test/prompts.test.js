// The prompts (Claude Desktop's slash commands) and their completions
// through the real SDK client, against the binary with --demo over stdio
// and streamable HTTP: the capabilities initialize declares, prompts/list
// with the three prompts, prompts/get for each (the tool calls it spells
// out work when made), completion/complete for numbers, users, contacts
// and words, and a bad argument answered with a sentence.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { BIN, REQUEST_TIMEOUT_MS, closeQuietly, connect, startServer } from '../lib/harness.js';

const opts = { timeout: REQUEST_TIMEOUT_MS };
const ZONE = 'America/Los_Angeles';
const DEMO_ARGS = ['--demo', '--timezone', ZONE];

// yesterdayIn is yesterday's date (YYYY-MM-DD) in zone.
function yesterdayIn(zone) {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date()).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

function textOf(res) {
  assert.equal(res.messages.length, 1, 'one message');
  assert.equal(res.messages[0].role, 'user');
  assert.equal(res.messages[0].content.type, 'text');
  return res.messages[0].content.text;
}

async function complete(client, prompt, argument, value, context) {
  const res = await client.complete({ ref: { type: 'ref/prompt', name: prompt }, argument: { name: argument, value }, ...(context ? { context: { arguments: context } } : {}) }, opts);
  return res.completion.values;
}

for (const transportName of ['stdio', 'streamable HTTP']) {
  describe(`prompts and completions over ${transportName} (--demo)`, { timeout: 120_000 }, () => {
    let client;
    let server;
    let stderr = '';
    before(async () => {
      if (transportName === 'stdio') {
        const transport = new StdioClientTransport({ command: BIN, args: DEMO_ARGS, env: { PATH: process.env.PATH }, stderr: 'pipe' });
        transport.stderr?.on('data', (b) => { stderr += b; });
        client = await connect(transport);
      } else {
        // The demo ignores the API: no fake API behind it.
        server = await startServer({ url: 'http://127.0.0.1:9', apiKey: 'unused' }, { transport: 'http', args: DEMO_ARGS });
        client = await connect(new StreamableHTTPClientTransport(new URL(server.url)));
      }
    });
    after(async () => {
      await closeQuietly(client);
      await server?.stop();
    });

    it('declares prompts and completions, no logging, and instructions in the zone', () => {
      const caps = client.getServerCapabilities();
      assert.ok(caps.prompts, 'prompts capability');
      assert.ok(caps.completions, 'completions capability');
      assert.equal(caps.logging, undefined, 'no logging capability: nothing sends notifications/message');
      const instructions = client.getInstructions();
      assert.match(instructions, /^This is a DEMO workspace/);
      assert.match(instructions, new RegExp(`Days and times are in ${ZONE};`));
      assert.match(instructions, /missed_calls/);
    });

    it('lists the three prompts with documented arguments', async () => {
      const { prompts } = await client.listPrompts({}, opts);
      assert.deepEqual(prompts.map((p) => p.name), ['daily_digest', 'missed_call_triage', 'prepare_for_call']);
      for (const p of prompts) {
        assert.ok(p.description.length > 40, `${p.name} says what it does`);
        for (const a of p.arguments) assert.ok(a.description.length > 30, `${p.name}.${a.name} is documented`);
      }
      const contact = prompts[2].arguments.find((a) => a.name === 'contact');
      assert.equal(contact.required, true, 'prepare_for_call needs a contact');
    });

    it('gets daily_digest for yesterday in the zone, and the tool calls it spells out answer', async () => {
      const text = textOf(await client.getPrompt({ name: 'daily_digest', arguments: {} }, opts));
      const day = yesterdayIn(ZONE);
      assert.ok(text.includes(`call_stats {"createdAfter": "${day}"`), text);
      assert.match(text, new RegExp(`\\(${ZONE} time\\)`));
      const calls = [...text.matchAll(/\b(call_stats|missed_calls|recent_calls) (\{[^{}]*\})/g)];
      assert.equal(calls.length, 3, text);
      for (const [, name, args] of calls) {
        const res = await client.callTool({ name, arguments: JSON.parse(args) }, undefined, opts);
        assert.notEqual(res.isError, true, `${name} ${args}: ${JSON.stringify(res.content)}`);
      }
    });

    it('gets missed_call_triage with a number by its name', async () => {
      const text = textOf(await client.getPrompt({ name: 'missed_call_triage', arguments: { since: 'this week', phoneNumber: 'Support' } }, opts));
      assert.ok(text.includes('missed_calls {"createdAfter": "this week", "onlyUnreturned": false, "maxResults": 100, "phoneNumberId": "PNsu3Mw9Rt"}'), text);
      assert.match(text, /on our number "Support" \(\+14155550101\)/);
    });

    it('gets prepare_for_call for a contact the completion offered', async () => {
      const offered = await complete(client, 'prepare_for_call', 'contact', 'juniper');
      assert.deepEqual(offered, ['Juniper Salon (Clara)']);
      const res = await client.getPrompt({ name: 'prepare_for_call', arguments: { contact: offered[0] } }, opts);
      const text = textOf(res);
      assert.match(text, /^Prepare me for a call with "Juniper Salon \(Clara\)" \(\+1\d{10}\)/);
      assert.match(text, /recent_calls \{"participant": "\+1\d{10}", "createdAfter": "90d"/);
      const ambiguous = textOf(await client.getPrompt({ name: 'prepare_for_call', arguments: { contact: 'Hannah Osei' } }, opts));
      assert.match(ambiguous, /Several contacts match: .*Ask me which one before calling any tool/);
    });

    it('completes numbers, users, contacts and words', async () => {
      assert.deepEqual(await complete(client, 'daily_digest', 'phoneNumber', 's'), ['Sales', 'Support']);
      assert.deepEqual(await complete(client, 'daily_digest', 'phoneNumber', '+1 415 555 0102'), ['+14155550102']);
      assert.deepEqual(await complete(client, 'missed_call_triage', 'user', 'jor'), ['Jordan Lee']);
      assert.deepEqual(await complete(client, 'prepare_for_call', 'contact', 'osei', { phoneNumber: 'Sales' }), ['Hannah Osei', 'Zoe Osei']);
      assert.deepEqual(await complete(client, 'missed_call_triage', 'since', 'week'), ['this week', 'last week']);
      const days = await complete(client, 'daily_digest', 'day', '');
      assert.deepEqual(days.slice(0, 2), ['yesterday', 'today']);
    });

    it('answers a bad argument with a sentence', async () => {
      await assert.rejects(client.getPrompt({ name: 'daily_digest', arguments: { day: 'someday' } }, opts),
        /day "someday" is not a day: give yesterday, today or a date such as \d{4}-\d{2}-\d{2}/);
      await assert.rejects(client.getPrompt({ name: 'daily_digest', arguments: { user: 'Nobody' } }, opts),
        /user "Nobody" is not a user of this workspace; the users are: .*Jordan Lee/);
      assert.ok(!stderr.includes('panic'), stderr);
    });
  });
}
