import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveLaunch } from '../src/serverLaunch';
import { FakeApi } from './fakes';

const env = { PATH: '/usr/bin', UNSET: undefined };

test('kernelwright.interpreter wins over the Python extension', async () => {
  const api = new FakeApi();
  let asked = false;
  const l = await resolveLaunch(['/venv/bin/python', '-X', 'utf8'], async () => ((asked = true), ['/other/python']), '/ws', env, api.log);
  assert.equal(asked, false);
  assert.equal(l.command, '/venv/bin/python');
  assert.deepEqual(l.args, ['-X', 'utf8', '-m', 'kernelwright.server.serve']);
  assert.equal(l.cwd, '/ws');
  assert.equal(l.source, 'setting');
  assert.equal(l.env.PATH, '/usr/bin');
  assert.equal(l.env.PYTHONUNBUFFERED, '1');
  assert.ok(!('UNSET' in l.env));
});

test('without the setting, the Python extension interpreter runs `serve`', async () => {
  const api = new FakeApi();
  const l = await resolveLaunch([], async () => ['/conda/bin/python'], undefined, env, api.log);
  assert.equal(l.command, '/conda/bin/python');
  assert.deepEqual(l.args, ['-m', 'kernelwright.server.serve']);
  assert.equal(l.source, 'python-extension');
});

test('no interpreter anywhere (or the Python extension failing): `kernelwright serve` from PATH, with a warning', async () => {
  const api = new FakeApi();
  const l = await resolveLaunch([], async () => {
    throw new Error('Python extension is not installed or is disabled');
  }, undefined, env, api.log);
  assert.equal(l.command, 'kernelwright');
  assert.deepEqual(l.args, ['serve']);
  assert.equal(l.source, 'path');
  assert.ok(api.logs.some((m) => m.startsWith('warn: Python extension did not supply an interpreter')));
  assert.ok(api.logs.some((m) => m.includes('from PATH')));
});
