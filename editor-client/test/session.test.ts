import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESTRICTED_MESSAGE, ServerSession, type ClientFactory } from '../src/session';
import type { ServerLaunch } from '../src/serverLaunch';
import { initializationOptions, type Settings } from '../src/settings';
import { FakeApi, FakeClient, flush } from './fakes';

function setup(opts: { trusted?: boolean; settings?: Record<string, unknown>; failFirstStart?: boolean } = {}) {
  const api = new FakeApi();
  api.trusted = opts.trusted ?? true;
  api.settings = opts.settings ?? {};
  const created: { launch: ServerLaunch; initOptions: unknown; settings: () => Settings; client: FakeClient }[] = [];
  const factory: ClientFactory = (launch, settings) => {
    const client = new FakeClient();
    if (opts.failFirstStart && created.length === 0) client.failStart = new Error('spawn python ENOENT');
    created.push({ launch, initOptions: initializationOptions(settings()), settings, client });
    return client;
  };
  let attached = 0;
  let stoppedCalls = 0;
  const session = new ServerSession({
    api,
    createClient: factory,
    pythonInterpreter: async () => ['/py/bin/python'],
    env: {},
    home: '/home/u',
    onClientStarted: () => ((attached++), [{ dispose: () => undefined }]),
    onClientStopped: () => void stoppedCalls++,
  });
  return { api, session, created, attached: () => attached, stoppedCalls: () => stoppedCalls };
}

test('untrusted workspace: no server starts, the user is told why', async () => {
  const { api, session, created } = setup({ trusted: false });
  await session.activate();
  await session.restart();
  await flush();
  assert.equal(created.length, 0);
  assert.equal(session.running, undefined);
  assert.equal(api.messages[0].level, 'warning');
  assert.equal(api.messages[0].message, RESTRICTED_MESSAGE);
  assert.deepEqual(api.messages[0].actions, ['Manage Workspace Trust']);
  const badge = api.statusItems[0];
  assert.equal(badge.visible, true);
  assert.equal(badge.text, '$(shield) kernelwright');
});

test('granting trust starts the server once', async () => {
  const { api, session, created } = setup({ trusted: false });
  await session.activate();
  api.grantTrust();
  await session.start(); // waits for the start queued by the grant
  assert.equal(created.length, 1);
  assert.equal(created[0].client.started, 1);
  assert.ok(session.running);
  assert.equal(api.statusItems[0].visible, false);
});

test('trusted workspace: settings become initializationOptions and the interpreter comes from the Python extension', async () => {
  const { session, created, attached } = setup({ settings: { budget: 32, device: 'cpu', proposers: ['embedded', 'claude'] } });
  await session.activate();
  assert.equal(created.length, 1);
  assert.deepEqual(created[0].initOptions, {
    device: 'cpu', budget: 32, timeLimitS: 300, strategy: 'mcts', proposers: ['embedded', 'claude'], model: null, storePath: null,
    shapeCommand: null, slowSpotSpeedup: 1.2, requireSandbox: null, executor: 'local', rayAddress: null,
  });
  assert.equal(created[0].launch.command, '/py/bin/python');
  assert.equal(created[0].launch.cwd, '/ws');
  assert.equal(attached(), 1);
});

test('changing a kernelwright setting restarts the server with the new options', async () => {
  const { api, session, created, stoppedCalls } = setup({ settings: { budget: 32 } });
  await session.activate();
  api.changeSettings({ budget: 8, strategy: 'evolve' });
  await session.start(); // queued behind the restart
  assert.equal(created.length, 2);
  assert.equal(created[0].client.stopped, 1);
  assert.equal(stoppedCalls(), 1);
  assert.equal((created[1].initOptions as { budget: number }).budget, 8);
  assert.equal((created[1].initOptions as { strategy: string }).strategy, 'evolve');
  // workspace/configuration answers follow the settings in force.
  assert.equal(created[1].settings().server.budget, 8);
});

test('a burst of setting changes restarts once, with the last values', async () => {
  const { api, session, created } = setup();
  await session.activate();
  api.changeSettings({ budget: 2 });
  api.changeSettings({ budget: 3 });
  api.changeSettings({ budget: 4 });
  await session.start();
  assert.equal(created.length, 2); // the initial start and one restart
  assert.equal((created.at(-1)!.initOptions as { budget: number }).budget, 4);
  assert.equal(created.filter((c) => c.client.stopped === 0).length, 1);
});

test('invalid settings are shown and the server still starts with defaults', async () => {
  const { api, session, created } = setup({ settings: { budget: 0 } });
  await session.activate();
  assert.equal(created.length, 1);
  assert.equal((created[0].initOptions as { budget: number }).budget, 8);
  assert.match(api.messages[0].message, /^kernelwright: kernelwright\.budget must be an integer from 1 to 10000; using 8\.$/);
});

test('the interpreter setting wins over the Python extension', async () => {
  const { session, created } = setup({ settings: { interpreter: ['${workspaceFolder}/.venv/bin/python'] } });
  await session.activate();
  assert.equal(created[0].launch.command, '/ws/.venv/bin/python');
  assert.equal(created[0].launch.source, 'setting');
});

test('a server that fails to start is reported with the log, and Restart tries again', async () => {
  const { api, session, created } = setup({ failFirstStart: true });
  await session.activate();
  await flush();
  assert.equal(session.running, undefined);
  assert.match(api.messages[0].message, /the language server did not start \(Error: spawn python ENOENT\)/);
  assert.deepEqual(api.messages[0].actions, ['Show log']);
  assert.equal(await session.restart(), true);
  assert.equal(created.length, 2);
  assert.ok(session.running);
});

test('stop stops the client and clears it', async () => {
  const { session, created } = setup();
  await session.activate();
  await session.stop();
  assert.equal(created[0].client.stopped, 1);
  assert.equal(session.running, undefined);
});
