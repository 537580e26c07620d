import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandHandlers, interceptServerCommand, registerCommands, type CommandContext } from '../src/commands';
import { SearchTracker } from '../src/searchStatus';
import { FakeApi, FakeClient, flush } from './fakes';
import { CANDIDATES } from './fixtures';

const uri = 'file:///ws/model.py';
const selection = { start: { line: 4, character: 8 }, end: { line: 4, character: 30 } };
const range = { start: { line: 4, character: 0 }, end: { line: 5, character: 0 } };

function setup(opts: { trusted?: boolean; running?: boolean } = {}) {
  const api = new FakeApi();
  api.trusted = opts.trusted ?? true;
  api.editor = { uri, languageId: 'python', selection };
  const client = new FakeClient();
  const tracker = new SearchTracker(api);
  tracker.attach(client);
  let explained = 0;
  let restarts = 0;
  const ctx: CommandContext = {
    api,
    client: () => (opts.running === false ? undefined : client),
    isTrusted: () => api.trusted,
    explainRestricted: async () => void explained++,
    restart: async () => (restarts++, true),
    tracker,
  };
  registerCommands(ctx);
  const intercept = (command: string, args: unknown[]) => interceptServerCommand(ctx, command, args);
  const run = (id: string, ...args: unknown[]) => api.commands.get(id)!(...args) as Promise<unknown>;
  return { api, client, tracker, run, intercept, explained: () => explained, restarts: () => restarts };
}

test('Optimize Selection calls the server command through workspace/executeCommand with uri and selection', async () => {
  const { client, run } = setup();
  await run('kernelwright.client.optimizeSelection');
  assert.deepEqual(client.requests, [
    { method: 'workspace/executeCommand', params: { command: 'kernelwright.optimize', arguments: [{ uri, range: selection }] } },
  ]);
});

test('Profile calls kernelwright.profile with uri and selection', async () => {
  const { client, run } = setup();
  client.handlers.set('workspace/executeCommand', () => ({ status: 'started', jobId: 'p1', token: 'tok' }));
  await run('kernelwright.client.profile');
  assert.deepEqual(client.requests, [
    { method: 'workspace/executeCommand', params: { command: 'kernelwright.profile', arguments: [{ uri, range: selection }] } },
  ]);
});

test('a server error while optimizing is shown, not swallowed', async () => {
  const { api, client, run } = setup();
  client.handlers.set('workspace/executeCommand', () => {
    throw new Error('no op or kernel at the selection');
  });
  await run('kernelwright.client.optimizeSelection');
  assert.equal(api.messages[0].level, 'error');
  assert.equal(api.messages[0].message, 'kernelwright: Optimize failed: no op or kernel at the selection');
});

test('Cancel Search cancels the running job by its id', async () => {
  const { client, run } = setup();
  client.notify('kernelwright/searchStarted', { jobId: 'j9', uri, range, title: 'Optimize forward' });
  await run('kernelwright.client.cancelSearch');
  assert.deepEqual(client.requests, [
    { method: 'workspace/executeCommand', params: { command: 'kernelwright.cancel', arguments: [{ jobId: 'j9' }] } },
  ]);
});

test('Cancel Search with two searches asks which one; with none says so', async () => {
  const { api, client, run } = setup();
  await run('kernelwright.client.cancelSearch');
  assert.equal(api.messages[0].message, 'kernelwright: no search is running.');
  assert.equal(client.requests.length, 0);
  client.notify('kernelwright/searchStarted', { jobId: 'a', uri, range, title: 'Optimize A' });
  client.notify('kernelwright/searchStarted', { jobId: 'b', uri, range, title: 'Optimize B' });
  api.pickIndex = 1;
  await run('kernelwright.client.cancelSearch');
  assert.deepEqual(api.quickPicks[0].items.map((i) => i.label), ['Optimize A', 'Optimize B']);
  assert.deepEqual((client.requests[0].params as { arguments: unknown[] }).arguments, [{ jobId: 'b' }]);
});

test('Show Candidates → pick → diff preview → apply, using the range the search ran on', async () => {
  const { api, client, run } = setup();
  const text = 'a\nb\nc\nd\n    y = torch.relu(x)\n';
  api.documents.set(uri, { uri, version: 3, text });
  client.notify('kernelwright/searchStarted', { jobId: 'j1', uri, range, title: 'Optimize forward' });
  client.handlers.set('kernelwright/candidates', () => ({ candidates: CANDIDATES }));
  client.handlers.set('textDocument/codeAction', () => [
    {
      title: 'Apply candidate #1 — 2.4× vs eager', kind: 'refactor.rewrite.kernelwright',
      data: { tag: 'kernelwright.apply', candidateId: 'r1/n0001', rank: 1, uri, version: 3, signature: 's', start: 0, end: 9 },
      edit: { documentChanges: [{ textDocument: { uri, version: 3 }, edits: [{ range: { start: { line: 4, character: 8 }, end: { line: 4, character: 21 } }, newText: 'relu_k(x)' }] }] },
    },
  ]);
  api.pickIndex = 0;
  await run('kernelwright.client.showCandidates');
  assert.deepEqual(client.requests.map((r) => r.method), ['kernelwright/candidates', 'textDocument/codeAction']);
  assert.deepEqual((client.requests[1].params as { range: unknown }).range, range);
  assert.equal(api.diffs[0].rightText, 'a\nb\nc\nd\n    y = relu_k(x)\n');
  assert.equal(api.appliedEdits.length, 1);
});

test('the server\'s "n candidates" lens opens the picker for its target, and its range finds the action', async () => {
  const { api, client, intercept } = setup();
  api.editor = undefined;
  api.documents.set(uri, { uri, version: 1, text: 'x\n' });
  client.handlers.set('kernelwright/candidates', () => ({ candidates: CANDIDATES }));
  client.handlers.set('textDocument/codeAction', () => []);
  const lensRange = { start: { line: 7, character: 0 }, end: { line: 9, character: 12 } };
  assert.equal(intercept('kernelwright.showCandidates', [{ uri, range: lensRange }]), true);
  await flush();
  await flush();
  assert.deepEqual(client.requests[0], { method: 'kernelwright/candidates', params: { uri, range: lensRange } });
  assert.equal(api.quickPicks.length, 1);
  assert.deepEqual((client.requests[1].params as { range: unknown }).range, lensRange);
  // Other server commands go to the server untouched.
  assert.equal(intercept('kernelwright.optimize', [{ uri, range: lensRange }]), false);
});

test('Accept Candidate with a rank skips the picker', async () => {
  const { api, client, run } = setup();
  api.documents.set(uri, { uri, version: 1, text: 'x\n' });
  client.handlers.set('kernelwright/candidates', () => ({ candidates: CANDIDATES }));
  client.handlers.set('textDocument/codeAction', () => []);
  await run('kernelwright.client.acceptCandidate', uri, 2);
  assert.equal(api.quickPicks.length, 0);
  assert.match(api.messages[0].message, /candidate #2 is no longer offered/);
});

test('in an untrusted workspace commands explain why and send nothing', async () => {
  const { client, run, explained } = setup({ trusted: false });
  for (const id of ['kernelwright.client.optimizeSelection', 'kernelwright.client.profile', 'kernelwright.client.showCandidates', 'kernelwright.client.restartServer']) {
    await run(id);
  }
  assert.equal(explained(), 4);
  assert.equal(client.requests.length, 0);
});

test('server not running: the error offers a restart', async () => {
  const { api, run, restarts } = setup({ running: false });
  api.messageAnswer = (m) => (m.actions.includes('Restart server') ? 'Restart server' : undefined);
  await run('kernelwright.client.optimizeSelection');
  await flush();
  assert.equal(api.messages[0].message, 'kernelwright: the language server is not running.');
  assert.equal(restarts(), 1);
});

test('no Python editor: a hint instead of a request', async () => {
  const { api, client, run } = setup();
  api.editor = { uri: 'file:///ws/README.md', languageId: 'markdown', selection };
  await run('kernelwright.client.optimizeSelection');
  assert.equal(client.requests.length, 0);
  assert.match(api.messages[0].message, /open a Python file/);
});

test('every handler is registered once under kernelwright.client.*', () => {
  const { api } = setup();
  assert.deepEqual([...api.commands.keys()].sort(), Object.keys(commandHandlers).sort());
  for (const id of api.commands.keys()) assert.ok(id.startsWith('kernelwright.client.'), id);
});
