// Reading the tools' structured content as the server writes it, in one
// place, so that a change of shape is one change here and not one in every
// test. A call (list_calls, recent_calls, search_calls' hits) is its line:
// [id, createdAt, direction, status, duration, {the line's key=values}]; a
// missed_calls caller is [number, missed calls, last miss, its call id, on,
// {voicemail, returned, ...}]; the trailing object is left out when the
// line has nothing more. The paging token is nextPageToken beside the
// paging line; what was counted or read is in the notes, as the text words
// them. Each reader throws a sentence when the shape is not that one.

function structured(result) {
  const sc = result?.structuredContent;
  if (sc === null || typeof sc !== 'object' || Array.isArray(sc)) {
    throw new Error(`the result has no structured content: ${JSON.stringify(result).slice(0, 500)}`);
  }
  return sc;
}

// row reads one record written as its line: the first fields by name, then
// the object of the rest (empty when the line has no more).
function row(what, names, r) {
  const ok = Array.isArray(r) && (r.length === names.length ||
    (r.length === names.length + 1 && r[names.length] !== null && typeof r[names.length] === 'object' && !Array.isArray(r[names.length])));
  if (!ok) {
    throw new Error(`${what} is not [${names.join(', ')}, {rest}]: ${JSON.stringify(r)}`);
  }
  const out = Object.fromEntries(names.map((n, i) => [n, r[i]]));
  return { ...(r[names.length] ?? {}), ...out };
}

const callFields = ['id', 'createdAt', 'direction', 'status', 'duration'];

// calls is every call of a result, each an object of its line's fields:
// { id, createdAt, direction, status, duration, with, on, by, ... }. A
// result without calls (an empty window) has none.
export function calls(result) {
  const rows = structured(result).calls ?? [];
  return rows.map((r) => row('a call', callFields, r));
}

// callIds is the ids of a result's calls, in its order.
export function callIds(result) {
  return calls(result).map((c) => c.id);
}

// hits is every hit of a search_calls result, as calls are read, with its
// field and passage.
export function hits(result) {
  const rows = structured(result).hits ?? [];
  return rows.map((r) => row('a search hit', callFields, r));
}

// missedCallers is every caller of a missed_calls result:
// { number, attempts, lastMissedAt, callId, on, voicemail, returned, ... }.
export function missedCallers(result) {
  const rows = structured(result).callers ?? [];
  return rows.map((r) => row('a missed caller', ['number', 'attempts', 'lastMissedAt', 'callId', 'on'], r));
}

// nextPageToken is the token of the next page, undefined on the last.
export function nextPageToken(result) {
  return structured(result).nextPageToken;
}

// header is what a list_calls header names: the OpenPhone number
// ([PN id, number, name]) and the other party ([number, name]).
export function header(result) {
  const { number, party } = structured(result);
  if (!Array.isArray(number) || !Array.isArray(party)) {
    throw new Error(`the result names no number and party: ${JSON.stringify({ number, party })}`);
  }
  return { phoneNumberId: number[0], number: number[1], numberName: number[2], participant: party[0], participantName: party[1] };
}

// note is the note that starts with prefix ("Counted:", "Source:", ...),
// word for word; it throws when there is none.
export function note(result, prefix) {
  const notes = structured(result).notes ?? [];
  const found = notes.find((n) => n.startsWith(prefix));
  if (found === undefined) throw new Error(`no note starts with ${JSON.stringify(prefix)}: ${JSON.stringify(notes)}`);
  return found;
}

// counted is what call_stats' Counted note says: how many calls, and
// whether they are every call of the window (the walk budget did not stop
// it early).
export function counted(result) {
  const line = note(result, 'Counted:');
  let m = /^Counted: every call of the window, (\d+) \(/.exec(line);
  if (m) return { complete: true, calls: Number(m[1]) };
  m = /^Counted: (\d+) calls, those created from /.exec(line);
  if (m) return { complete: false, calls: Number(m[1]) };
  throw new Error(`the Counted note says neither how many nor whether all: ${JSON.stringify(line)}`);
}
