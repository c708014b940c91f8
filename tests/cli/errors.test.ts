/**
 * Every class of bad input exits 2 with ONE line on stderr, `dslab: ...`, naming what is wrong,
 * and prints nothing on stdout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, fixture } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cli-errors-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

function scenarioWith(
  change: (s: Record<string, unknown> & { topology: { links: unknown[] } }) => void,
): string {
  const s = JSON.parse(fs.readFileSync(fixture('ping-pong.json'), 'utf8'));
  change(s);
  return JSON.stringify(s);
}

const pp = fixture('ping-pong.json');
const missing = path.join(tmp, 'x.json');
const notJson = file('broken.json', '{\n  "name": "x",\n    }\n');
const empty = file('empty.json', '');
const badLink = file(
  'scenario.json',
  scenarioWith((s) => s.topology.links.push({ id: 'l3', a: 'n1', b: 'n9' })),
);
const badProtocol = file(
  'proto.json',
  scenarioWith((s) => {
    s.protocol = 'no-such-protocol';
  }),
);
const badParam = file(
  'param.json',
  scenarioWith((s) => {
    s.params = { retryUs: 'soon' };
  }),
);
const badRole = file(
  'role.json',
  scenarioWith((s) => {
    (s.topology as unknown as { nodes: { role: string }[] }).nodes[0]!.role = 'wizard';
  }),
);
const arrayFile = file('array.json', '[1, 2]');
const bundle = file(
  'bundle.dslab.json',
  JSON.stringify({ format: 'dslab', kind: 'bundle', schemaVersion: 1 }),
);
const badWrapped = file(
  'wrapped.dslab.json',
  JSON.stringify({
    format: 'dslab',
    kind: 'scenario',
    schemaVersion: 1,
    scenario: JSON.parse(scenarioWith((s) => s.topology.links.push({ id: 'l3', a: 'n1', b: 'n9' }))),
  }),
);
/** An exercise whose variant choices nest 100,000 lists deep (it once blew the validator's stack). */
function deepExercise(wrapped: boolean): string {
  const ex = {
    format: 'dslab',
    kind: 'exercise',
    schemaVersion: 1,
    exercise: {
      title: 'deep',
      scenario: JSON.parse(fs.readFileSync(pp, 'utf8')),
      variant: { params: { retryUs: { choices: ['@'] } } },
    },
  };
  const text = JSON.stringify(wrapped ? ex : ex.exercise.scenario);
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  return wrapped ? text.replace('"@"', deep) : text.replace('"params":{', `"params":{"deep":${deep},`);
}
const deepWrapped = file('deep.dslab.json', deepExercise(true));
const deepBare = file('deep.json', deepExercise(false));

const cases: [string, string[], RegExp][] = [
  [
    '100,000 nested lists in a library file',
    ['run', deepWrapped],
    /^dslab: .*deep\.dslab\.json: exercise\.variant\.params\.retryUs\.choices(\[0\])+: nested deeper than 64 levels of lists and objects$/,
  ],
  [
    '100,000 nested lists in a bare scenario',
    ['run', deepBare],
    /^dslab: .*deep\.json: params\.deep(\[0\])+: nested deeper than 64 levels of lists and objects$/,
  ],
  ['a missing file', ['run', missing], /^dslab: cannot read .*x\.json: no such file$/],
  ['a folder', ['run', tmp], /^dslab: cannot read .*: it is a folder$/],
  ['a file that is not JSON', ['run', notJson], /^dslab: .*broken\.json is not JSON: .+ at line 3 column 5$/],
  ['an empty file', ['run', empty], /^dslab: .*empty\.json is not JSON: Unexpected end of JSON input$/],
  [
    'JSON that is not an object',
    ['run', arrayFile],
    /^dslab: .*array\.json: expected a JSON object \(a scenario\), got a list$/,
  ],
  [
    'a link to an unknown node',
    ['run', badLink],
    /^dslab: .*scenario\.json: topology\.links\[3\]\.b: link l3 names unknown node n9$/,
  ],
  [
    'the same inside the library wrapper',
    ['run', badWrapped],
    /^dslab: .*wrapped\.dslab\.json: scenario\.topology\.links\[3\]\.b: link l3 names unknown node n9$/,
  ],
  ['a bundle', ['run', bundle], /^dslab: .*bundle\.dslab\.json is a bundle; the CLI runs one scenario/],
  [
    'an unknown protocol',
    ['check', badProtocol],
    /^dslab: .*proto\.json: protocol: unknown protocol no-such-protocol \(known: .*ping-pong.*\)$/,
  ],
  ['bad protocol params', ['run', badParam], /^dslab: .*param\.json: params\.retryUs: .*expected number/],
  [
    'a role the protocol lacks',
    ['run', badRole],
    /^dslab: .*role\.json: topology\.nodes\[0\]\.role: ping-pong has no role wizard/,
  ],
  ['--seeds not A..B', ['check', pp, '--seeds', '5-9'], /^dslab: --seeds must look like A\.\.B \(got 5-9\)$/],
  [
    '--seeds backwards',
    ['sweep', pp, '--seeds', '9..5'],
    /^dslab: --seeds 9\.\.5 runs backwards; write 5\.\.9$/,
  ],
  [
    '--seeds over the cap',
    ['sweep', pp, '--seeds', '0..1000000'],
    /^dslab: --seeds 0\.\.1000000 is 1,000,001 seeds; at most 1,000,000 per run/,
  ],
  [
    'a seed out of range',
    ['run', pp, '--seed', '4294967296'],
    /^dslab: --seed must be an integer from 0 to 4294967295 \(got 4294967296\)$/,
  ],
  ['a seed that is not a number', ['trace', pp, '--seed', 'abc'], /^dslab: --seed must be an integer/],
  ['sweep without --seeds', ['sweep', pp], /^dslab: sweep needs --seeds A\.\.B$/],
  [
    '--workers 0',
    ['sweep', pp, '--seeds', '1..2', '--workers', '0'],
    /^dslab: --workers must be an integer from 1 to 64 \(got 0\)$/,
  ],
  [
    '--until-ms not a number',
    ['run', pp, '--until-ms', 'soon'],
    /^dslab: --until-ms must be a number of milliseconds >= 0 \(got soon\)$/,
  ],
  ['--from not an index', ['trace', pp, '--from', '-1'], /^dslab: --from needs a value/],
  [
    '--from negative',
    ['trace', pp, '--from=-1'],
    /^dslab: --from must be an event index, an integer >= 0 \(got -1\)$/,
  ],
  ['--to before --from', ['trace', pp, '--from', '9', '--to', '3'], /^dslab: --to 3 is before --from 9/],
  [
    'an unknown flag',
    ['run', pp, '--fast'],
    /^dslab: unknown option --fast for run \(dslab help run lists them\)$/,
  ],
  ['a flag without its value', ['run', pp, '--seed'], /^dslab: --seed needs a value$/],
  ['a value for a switch', ['run', pp, '--json=yes'], /^dslab: --json takes no value$/],
  ['no file', ['run'], /^dslab: run needs a scenario file/],
  ['two files', ['check', pp, pp], /^dslab: unexpected argument .* \(check takes one file\)$/],
  ['an unknown command', ['frobnicate'], /^dslab: unknown command frobnicate \(dslab help lists them\)$/],
  ['help for an unknown command', ['help', 'frobnicate'], /^dslab: no command frobnicate/],
  ['--set without =', ['run', pp, '--set', 'params'], /^dslab: --set needs path=value \(got params\)$/],
  [
    '--set into a number',
    ['run', pp, '--set', 'seed.x=1'],
    /^dslab: --set seed\.x=1: seed is a number, not an object or a list$/,
  ],
  [
    '--set past the end of a list',
    ['run', pp, '--set', 'topology.links.7.lossRate=0.1'],
    /^dslab: --set topology\.links\.7\.lossRate=0\.1: topology\.links has 3 entries \(indices 0\.\.2\)$/,
  ],
  [
    '--set of a forbidden key',
    ['run', pp, '--set', '__proto__.x=1'],
    /^dslab: --set __proto__\.x=1: __proto__ is not a scenario field$/,
  ],
  [
    '--set to an invalid value',
    ['run', pp, '--set', 'topology.links.0.lossRate=2'],
    /^dslab: .*ping-pong\.json: topology\.links\[0\]\.lossRate: .*<=1.* \(after --set topology\.links\.0\.lossRate=2\)$/,
  ],
  [
    '--set of a bad protocol param',
    ['run', pp, '--set', 'params.retryUs=fast'],
    /^dslab: .*: params\.retryUs: .* \(after --set params\.retryUs=fast\)$/,
  ],
  [
    'an unknown library command',
    ['library', 'frob', '--data', tmp],
    /^dslab library: unknown command frob \(dslab help library\)$/,
  ],
  ['--data without a folder', ['library', 'list', '--data'], /^dslab: --data needs a folder$/],
];

describe('a library import of deeply nested input', () => {
  it('is refused with the path and a reason, not an internal error', async () => {
    const r = await cli('library', 'import', deepWrapped, '--data', path.join(tmp, 'data'));
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^.*deep\.dslab\.json: This is not a valid DSLab file: \$\.exercise\.variant\.params\.retryUs\.choices(\[0\])+: nested deeper than 64 levels of lists and objects\n$/,
    );
    expect(r.code).toBe(1);
  });
});

describe('bad input', () => {
  it.each(cases)('%s: exit 2 and one line naming it', async (_name, argv, expected) => {
    const r = await cli(...argv);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    expect(r.stderr.endsWith('\n')).toBe(true);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    if (!lines[0]!.startsWith('dslab library:')) expect(lines[0]).toMatch(/^dslab: /);
  });

  it('no command at all prints the usage on stderr and exits 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: dslab <command>');
  });
});
