/** The extension and the Python server agree on names and payload fields (server/names.py). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as constants from '../src/constants';
import {
  APPLY_DATA_SCHEMA,
  CANDIDATE_SCHEMA,
  CANDIDATES_PARAMS_SCHEMA,
  CANDIDATES_RESULT_SCHEMA,
  SEARCH_FINISHED_SCHEMA,
  SEARCH_FINISHED_STATUSES,
  SEARCH_PROGRESS_SCHEMA,
  SEARCH_STARTED_SCHEMA,
  type PayloadSchema,
} from '../src/protocol';
import { DEFAULT_SERVER_OPTIONS } from '../src/settings';
import { documentedPayloads, namesPySource, parseObject, pythonNames, serverSettingDefaults, type DocField } from './namesPy';

const ts = constants as unknown as Record<string, unknown>;

test('every name in kernelwright.server.names has the same value in constants.ts', () => {
  const py = pythonNames();
  assert.ok(Object.keys(py).length >= 10, 'names.py exported suspiciously few names');
  for (const [name, value] of Object.entries(py)) {
    assert.ok(name in ts, `constants.ts lacks ${name} (names.py: ${JSON.stringify(value)})`);
    assert.deepEqual(ts[name], value, `${name} differs`);
  }
});

test('constants.ts uses no server command, notification or request name that names.py lacks', () => {
  const py = pythonNames();
  const mirrored = Object.keys(ts).filter((k) => /^(CMD_|NOTIFY_|REQUEST_|CODE_ACTION_KIND$|\w+_TITLE_PREFIX$|NOTIFICATIONS$|COMMANDS$)/.test(k));
  for (const k of mirrored) assert.ok(k in py, `constants.ts has ${k}, names.py does not`);
});

function assertSchema(what: string, doc: DocField[] | undefined, schema: PayloadSchema<unknown>): void {
  assert.ok(doc, `names.py no longer documents ${what}`);
  assert.deepEqual([...schema.fields].sort(), doc.map((f) => f.name).sort(), `${what}: field names differ`);
  assert.deepEqual(
    [...schema.nullable].sort(),
    doc.filter((f) => f.nullable).map((f) => f.name).sort(),
    `${what}: nullable fields differ`,
  );
}

test('payload fields the extension reads are the ones names.py documents', () => {
  const docs = documentedPayloads(namesPySource());
  assert.deepEqual(
    [...docs.keys()].sort(),
    ['applyData', 'params', 'result', 'searchFinished', 'searchProgress', 'searchStarted'],
    'names.py documents a payload the extension does not model (or dropped one)',
  );
  assertSchema('searchStarted', docs.get('searchStarted'), SEARCH_STARTED_SCHEMA as PayloadSchema<unknown>);
  assertSchema('searchProgress', docs.get('searchProgress'), SEARCH_PROGRESS_SCHEMA as PayloadSchema<unknown>);
  assertSchema('searchFinished', docs.get('searchFinished'), SEARCH_FINISHED_SCHEMA as PayloadSchema<unknown>);
  assertSchema('candidates params', docs.get('params'), CANDIDATES_PARAMS_SCHEMA as PayloadSchema<unknown>);
  assertSchema('candidates result', docs.get('result'), CANDIDATES_RESULT_SCHEMA as PayloadSchema<unknown>);
  const items = docs.get('result')!.find((f) => f.name === 'candidates')?.items;
  assertSchema('candidates[] item', items, CANDIDATE_SCHEMA as PayloadSchema<unknown>);
  assertSchema('Apply action data', docs.get('applyData'), APPLY_DATA_SCHEMA as PayloadSchema<unknown>);

  const status = docs.get('searchFinished')!.find((f) => f.name === 'status')!;
  assert.deepEqual([...SEARCH_FINISHED_STATUSES].sort(), [...status.literals].sort());
});

test('each documented notification payload belongs to a notification in NOTIFICATIONS', () => {
  const docs = documentedPayloads(namesPySource());
  for (const name of ['searchStarted', 'searchProgress', 'searchFinished']) {
    assert.ok(docs.has(name));
    assert.ok((constants.NOTIFICATIONS as readonly string[]).includes(`kernelwright/${name}`), name);
  }
});

test('the comment parser reads nesting, nullability and literals', () => {
  assert.deepEqual(parseObject('a, b|null, s: "x"|"y", n: int, l: [{c, d|null}]'), [
    { name: 'a', nullable: false, literals: [] },
    { name: 'b', nullable: true, literals: [] },
    { name: 's', nullable: false, literals: ['x', 'y'] },
    { name: 'n', nullable: false, literals: [] },
    {
      name: 'l', nullable: false, literals: [],
      items: [
        { name: 'c', nullable: false, literals: [] },
        { name: 'd', nullable: true, literals: [] },
      ],
    },
  ]);
});

test('the extension sends exactly the server\'s settings (server/config.py), with its defaults', () => {
  const server = serverSettingDefaults();
  assert.deepEqual(Object.keys(DEFAULT_SERVER_OPTIONS).sort(), Object.keys(server).sort());
  assert.deepEqual({ ...DEFAULT_SERVER_OPTIONS }, server);
});
