// A node --test reporter that prints one closing line: how many tests
// passed, failed and were skipped, the first failed ones by their full
// names (suite > test), and the time taken. CI prints it after the spec
// reporter's detail.

export default async function* closingLine(source) {
  const started = Date.now();
  let pass = 0;
  let skip = 0;
  const failed = [];
  const names = []; // names[nesting] of the tests last started
  for await (const { type, data } of source) {
    if (type === 'test:start') {
      names[data.nesting] = data.name;
      names.length = data.nesting + 1;
      continue;
    }
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    if (data.details?.type === 'suite') continue;
    if (type === 'test:fail') failed.push([...names.slice(0, data.nesting), data.name].join(' > '));
    else if (data.skip || data.todo) skip++;
    else pass++;
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  let line = `e2e ${failed.length ? 'FAIL' : 'PASS'}: ${pass} passed, ${failed.length} failed, ${skip} skipped in ${secs}s`;
  if (failed.length) {
    line += ` (failed: ${failed.slice(0, 10).join('; ')}${failed.length > 10 ? '; ...' : ''})`;
  }
  yield line + '\n';
}
