// A client that hands the model only the structured content, as Claude
// Code, VS Code, Codex and opencode do (JSON.stringify(structuredContent),
// the text dropped): through the real SDK client over stdio, the built
// binary with --demo is asked the README's questions, each next question
// with arguments read from the structure alone (as such a model would), and
// every fact of each answer's text must be in the JSON it sees. The SDK
// validates each structure against the tool's outputSchema on the way.
//
// The facts, extracted from the text as tools/structured_facts_test.go does
// (there for every golden case): the demo marker; the paging line (word for
// word, its token as nextPageToken); the notes (Source:, Counted:, Read:,
// Searched:, Metrics:, User: and every other line that is not a header,
// a record or a hint), word for word; a table row's cells, in order; and in
// the other lines quoted strings, instants, [mm:ss] offsets, local clock
// times (in the answer's zone), ids, phone numbers, URLs, durations,
// percentages and numbers.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { BIN, REQUEST_TIMEOUT_MS, closeQuietly, connect } from '../lib/harness.js';
import { calls } from '../lib/structured.js';

const opts = { timeout: REQUEST_TIMEOUT_MS };
const ZONE = 'America/New_York';
const DEMO = '[Demo workspace: simulated data]';

// hay is the structure as facts are looked for in it.
function hay(structured) {
  const strs = [];
  const nums = new Set(); // every number
  const lens = new Set(); // the length of every array and object
  const instants = [];
  const rows = []; // every array, its numbers and strings as text
  const walk = (v) => {
    if (typeof v === 'string') {
      strs.push(v);
      const t = Date.parse(v);
      if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(t)) instants.push(t);
    } else if (typeof v === 'number') {
      nums.add(v);
    } else if (Array.isArray(v)) {
      lens.add(v.length);
      rows.push(v.filter((x) => typeof x === 'string' || typeof x === 'number').map(String));
      v.forEach(walk);
      if (v.length && v.every((x) => typeof x === 'string')) {
        for (const sep of [', ', ' ', ' | ']) strs.push(v.join(sep));
      }
    } else if (v && typeof v === 'object') {
      lens.add(Object.keys(v).length);
      for (const [k, c] of Object.entries(v)) {
        strs.push(k);
        walk(c);
      }
    }
  };
  walk(structured);
  const zone = structured.tz || 'UTC';
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const readings = instants.map((t) => {
    const p = Object.fromEntries(local.formatToParts(t).map((x) => [x.type, x.value]));
    return { weekday: p.weekday, date: `${p.year}-${p.month}-${p.day}`, clock: `${p.hour}:${p.minute}:${p.second}` };
  });
  const contains = (s) => strs.some((x) => x.includes(s));
  const word = (s) => {
    const re = new RegExp(`(^|[^A-Za-z0-9+])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9])`);
    return strs.some((x) => x === s || re.test(x));
  };
  const is = (s) => strs.includes(s);
  const number = (n, count) => n === 0 || nums.has(n) || (count && lens.has(n)) || word(String(n));
  // To the second when the text writes seconds: the structure may be finer.
  const instant = (t, seconds) => instants.some((x) => x === t || (seconds && Math.floor(x / 1000) * 1000 === t));
  const reading = (weekday, date, clock) => readings.some((r) =>
    (!weekday || r.weekday === weekday) && (!date || r.date === date) && r.clock.startsWith(clock));
  // A table row's cells after its label, in order, end an array.
  const row = (line) => {
    const cells = line.split(' | ');
    let n = cells.length;
    while (n > 0 && /^(\d+%?|-|(\d+h)?(\d+m)?\d+s)$/.test(cells[n - 1])) n--;
    const want = cells.slice(n);
    return rows.some((r) => r.length >= want.length && r.slice(r.length - want.length).join('\n') === want.join('\n'));
  };
  return { top: structured, contains, word, is, number, instant, reading, row };
}

const seconds = (m) => (Number(m[1] || 0) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0)) +
  (Number(m[4] || 0) * 60 + Number(m[5] || 0)) + Number(m[6] || 0);

// lineFacts lists what of line h lacks.
function lineFacts(h, line) {
  const missing = [];
  let rest = '';
  for (let i = 0; i < line.length;) {
    if (line[i] !== '"') {
      rest += line[i++];
      continue;
    }
    const m = /^"(?:[^"\\]|\\.)*"/.exec(line.slice(i));
    if (!m) {
      rest += line[i++];
      continue;
    }
    let s = '';
    try {
      s = JSON.parse(m[0]).replace(/…$/, ''); // Go's quoting is JSON's for what cleanText leaves
    } catch {
      missing.push(`a quoted string JSON cannot read: ${m[0]}`);
    }
    if (s && !h.contains(s)) missing.push(`quoted ${JSON.stringify(s)}`);
    rest += ' ';
    i += m[0].length;
  }
  const cut = (re, check, what) => {
    rest = rest.replace(re, (...m) => {
      if (!check(m)) missing.push(`${what} ${m[0]}`);
      return ' ';
    });
  };
  // An instant: RFC 3339, or the text's stamp, with a space for the T.
  cut(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, (m) => h.instant(Date.parse(m[0].replace(' ', 'T')), !m[1]), 'the instant');
  cut(/\[(\d{2,}):(\d{2})\]/g, (m) => h.is(`${m[1]}:${m[2]}`) || h.number(Number(m[1]) * 60 + Number(m[2]), false), 'the offset');
  cut(/UTC[+-]\d{2}:\d{2}/g, () => true, '');
  cut(/https?:\/\/[^\s)]+/g, (m) => h.word(m[0]), 'the URL');
  cut(/\b(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?(?:(\d{4}-\d{2}-\d{2}) )?(\d{2}:\d{2}(?::\d{2})?)\b/g,
    (m) => h.is(m[0]) || h.reading(m[1], m[2], m[3]), 'the local time');
  cut(/\b\d{4}-\d{2}-\d{2}\b/g, (m) => h.is(m[0]) || h.reading('', m[0], ''), 'the date');
  cut(/\b(?:AC|PN|US|CN|CR|SYU)[A-Za-z0-9]*[a-z0-9][A-Za-z0-9]*\b/g, (m) => h.word(m[0]), 'the id');
  cut(/\+\d{7,15}\b/g, (m) => h.word(m[0]), 'the phone number');
  cut(/(^|with=)(anonymous)\b/g, (m) => h.word(m[2]), 'the party');
  cut(/\b(?:(\d+)h(\d{2})m(\d{2})s|(\d+)m(\d{2})s|(\d+)s)\b/g, (m) => h.is(m[0]) || h.number(seconds(m), false), 'the duration');
  cut(/\b(\d+)%/g, (m) => h.is(m[0]) || h.number(Number(m[1]), false), 'the percentage');
  cut(/\b\d+\b/g, (m) => h.number(Number(m[0]), true), 'the number');
  return missing;
}

// missingFacts lists the facts of text that structured lacks.
function missingFacts(text, structured) {
  const h = hay(structured);
  const missing = [];
  let lines = text.replace(/\n$/, '').split('\n');
  if (lines[0] === DEMO) {
    lines = lines.slice(1);
    if (structured.demo !== 'simulated data') missing.push('the demo marker');
  }
  let columns = false;
  lines.forEach((l, i) => {
    if (l === 'Last page.') {
      if ('next' in structured || 'nextPageToken' in structured) missing.push('the last page has a next');
    } else if (/^More (calls|callers|hits): /.test(l)) {
      const m = / pageToken ("(?:[^"\\]|\\.)*")\.$/.exec(l);
      let want = l;
      if (m) {
        if (structured.nextPageToken !== JSON.parse(m[1])) missing.push(`the page token ${m[1]}`);
        want = l.replace(` ${m[1]}`, '');
      }
      if (structured.next !== want) missing.push(`the paging line ${JSON.stringify(want)}`);
    } else if (/^[A-Z][a-zA-Z ]*:$/.test(l)) {
      // a section label
    } else if (lines.length > 1 && (i === 0 || /^(More: |Pass a PN id|End of transcript: \d+ utterances\.$)/.test(l) ||
      /^(AC|CR|PN|\+|anonymous|\[|- | {2}|[a-z][a-zA-Z ]*: )/.test(l) || l.includes(' | '))) {
      if (/^[a-z][a-z ]* \| /.test(l) && !columns) {
        columns = true;
        for (const col of l.split(' | ')) if (!h.contains(col)) missing.push(`the column ${col}`);
      } else if (columns && l.includes(' | ') && !h.row(l)) {
        missing.push(`the table row ${JSON.stringify(l)}`);
      }
      missing.push(...lineFacts(h, l));
    } else if (!h.contains(l)) {
      missing.push(`the note ${JSON.stringify(l)}`);
    }
  });
  return missing;
}

describe('structured content alone, as Claude Code reads it, on the demo', { timeout: 120_000 }, () => {
  let client;
  let stderr = '';
  const ratios = [];
  before(async () => {
    const transport = new StdioClientTransport({
      command: BIN, args: ['--demo', '--timezone', ZONE], env: { PATH: process.env.PATH }, stderr: 'pipe',
    });
    transport.stderr?.on('data', (b) => { stderr += b; });
    client = await connect(transport);
  });
  after(async () => {
    await closeQuietly(client);
    const table = ratios.map(([q, r]) => `  ${r.toFixed(2)}  ${q}`).join('\n');
    console.log(`structured JSON bytes / text bytes, per answer:\n${table}`);
  });

  // ask calls a tool and returns what a structured-only client gives the
  // model, after checking it carries every fact of the text.
  async function ask(question, name, args) {
    const res = await client.callTool({ name, arguments: args }, undefined, opts);
    const text = res.content.find((c) => c.type === 'text')?.text ?? '';
    assert.notEqual(res.isError, true, `${question} (${name}): ${text}\n${stderr}`);
    assert.ok(res.structuredContent, `${name} returns structured content`);
    const seen = JSON.stringify(res.structuredContent);
    assert.ok(text.startsWith(DEMO), `${name}: the text starts with the demo marker`);
    assert.deepEqual(missingFacts(text, res.structuredContent), [], `${question} (${name}): facts of the text missing from\n${seen}\ntext:\n${text}`);
    ratios.push([`${question} (${name})`, Buffer.byteLength(seen) / Buffer.byteLength(text)]);
    return { structuredContent: JSON.parse(seen) }; // what the model saw, and nothing else
  }

  let call; // a completed call, found by the model in the structure
  it('"who called in the last 24 hours?", and the next page by its token', async () => {
    const first = await ask('who called in the last 24 hours?', 'recent_calls', { maxResults: 10 });
    const { next, nextPageToken } = first.structuredContent;
    assert.ok(calls(first).length > 0 && nextPageToken, 'the demo has more than a page of calls a day');
    assert.match(next, /^More calls: recent_calls with the same arguments and pageToken\.$/);
    const second = await ask('and the next page?', 'recent_calls', { maxResults: 10, pageToken: nextPageToken });
    const ids = new Set(calls(first).map((c) => c.id));
    assert.ok(calls(second).every((c) => !ids.has(c.id)), 'the next page lists other calls');
    call = [...calls(first), ...calls(second)].find((c) => c.status === 'completed' && c.duration !== '0s' && c.with?.startsWith('+'));
    assert.ok(call, 'a completed call with a number to ask about');
  });

  it('"what calls did we have with that number?"', async () => {
    const out = await ask(`what calls did we have with ${call.with}?`, 'list_calls', { phoneNumberId: call.on, participants: [call.with] });
    assert.ok(calls(out).some((c) => c.id === call.id), 'the call is among them');
  });

  it('"what was said on that call?", and the rest of what get_call_* tell', async () => {
    for (const tool of ['get_call', 'get_call_summary', 'get_call_transcript', 'get_call_recordings']) {
      await ask(`what was said on ${call.id}?`, tool, { callId: call.id });
    }
  });

  it('"how many did we miss this week, by user?"', async () => {
    const { structuredContent: out } = await ask('how many did we miss this week, by user?', 'call_stats',
      { createdAfter: 'this week', groupBy: ['user'], status: ['missed'], direction: 'incoming' });
    assert.equal(out.tz, ZONE);
    assert.equal(out.rows.reduce((n, r) => n + r[1], 0), out.total[0], 'the rows add up to the total');
  });

  it('"who still needs a call back?"', async () => {
    await ask('who still needs a call back?', 'missed_calls', {});
  });

  it('"the call about the refund", and the numbers and their users', async () => {
    await ask('the call about the refund', 'search_calls', { query: 'refund' });
    await ask('which numbers do we have, and who uses them?', 'list_phone_numbers', {});
  });
});
