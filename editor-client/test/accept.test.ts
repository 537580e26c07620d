import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptCandidate, appliesCandidate } from '../src/accept';
import type { CodeAction, WorkspaceEdit } from '../src/lsp';
import type { Candidate } from '../src/protocol';
import { FakeApi, FakeClient } from './fakes';

const uri = 'file:///ws/model.py';
const text = 'import torch\n\ndef forward(x):\n    return torch.relu(x)\n';
const searchRange = { start: { line: 3, character: 11 }, end: { line: 3, character: 24 } };

const candidate: Candidate = {
  id: 'run-a/n0003', rank: 1, title: 'Apply candidate #1 — 2.4× vs eager · memory-bound · 86% of peak DRAM BW',
  speedupVsEager: 2.4, speedupVsCompile: 1.1, bottleneck: 'memory-bound', peakPercent: 86, outcome: 'ok', jobId: 'j1',
};

function edit(version: number | null): WorkspaceEdit {
  return {
    documentChanges: [
      {
        textDocument: { uri, version },
        edits: [
          { range: { start: { line: 3, character: 11 }, end: { line: 3, character: 24 } }, newText: 'relu_kernel(x)' },
          { range: { start: { line: 0, character: 12 }, end: { line: 0, character: 12 } }, newText: '\nfrom .kw import relu_kernel' },
        ],
      },
    ],
  };
}

/** The data the server puts on an "Apply candidate" action (names.py applyData). */
function applyData(candidateId: string, rank: number) {
  return { tag: 'kernelwright.apply', candidateId, rank, uri, version: 7, signature: 'sig', start: 40, end: 53 };
}

function setup(opts: { version?: number; editVersion?: number | null; resolve?: boolean } = {}) {
  const api = new FakeApi();
  api.documents.set(uri, { uri, version: opts.version ?? 7, text });
  const client = new FakeClient();
  const unresolved: CodeAction[] = [
    { title: 'Apply candidate #12 — 1.01× vs eager', kind: 'refactor.rewrite.kernelwright', data: applyData('run-a/n0012', 12) },
    { title: 'Apply candidate #1 — 2.4× vs eager · memory-bound · 86% of peak DRAM BW', kind: 'refactor.rewrite.kernelwright', data: applyData('run-a/n0003', 1) },
  ];
  client.handlers.set('textDocument/codeAction', () => unresolved);
  client.handlers.set('codeAction/resolve', (a) => ({ ...(a as CodeAction), edit: edit(opts.editVersion === undefined ? 7 : opts.editVersion) }));
  return { api, client };
}

test('accepting shows the diff, asks, then applies the resolved versioned edit', async () => {
  const { api, client } = setup();
  const outcome = await acceptCandidate(api, client, uri, candidate, searchRange);
  assert.equal(outcome, 'applied');

  const [codeAction, resolve] = client.requests;
  assert.equal(codeAction.method, 'textDocument/codeAction');
  assert.deepEqual(codeAction.params, {
    textDocument: { uri },
    range: searchRange,
    context: { diagnostics: [], only: ['refactor.rewrite.kernelwright'], triggerKind: 1 },
  });
  assert.equal(resolve.method, 'codeAction/resolve');
  assert.deepEqual((resolve.params as CodeAction).data, applyData('run-a/n0003', 1)); // #1, not #12

  assert.equal(api.diffs.length, 1);
  assert.equal(api.diffs[0].leftUri, uri);
  assert.equal(
    api.diffs[0].rightText,
    'import torch\nfrom .kw import relu_kernel\n\ndef forward(x):\n    return relu_kernel(x)\n',
  );
  assert.match(api.diffs[0].title, /^model\.py ↔ candidate #1 \(2\.4× vs eager · 1\.1× vs torch\.compile · memory-bound · 86% of peak\)$/);
  assert.equal(api.diffs[0].closed, true);
  assert.deepEqual(api.confirms, [
    { message: 'Apply candidate #1 to model.py?', detail: '2.4× vs eager · 1.1× vs torch.compile · memory-bound · 86% of peak.' },
  ]);
  assert.deepEqual(api.appliedEdits, [edit(7)]);
});

test('declining the preview leaves the document untouched', async () => {
  const { api, client } = setup();
  api.confirmAnswer = false;
  assert.equal(await acceptCandidate(api, client, uri, candidate, searchRange), 'declined');
  assert.equal(api.diffs.length, 1);
  assert.equal(api.diffs[0].closed, true);
  assert.deepEqual(api.appliedEdits, []);
});

test('an edit made for an older version of the document is not applied', async () => {
  const { api, client } = setup({ version: 9, editVersion: 7 });
  assert.equal(await acceptCandidate(api, client, uri, candidate, searchRange), 'stale');
  assert.deepEqual(api.appliedEdits, []);
  assert.equal(api.diffs.length, 0);
  assert.match(api.messages[0].message, /model\.py changed after candidate #1 was prepared; nothing was applied/);
});

test('a candidate the server no longer offers is reported; without a known range the whole document is asked', async () => {
  const api = new FakeApi();
  api.documents.set(uri, { uri, version: 1, text });
  const client = new FakeClient();
  client.handlers.set('textDocument/codeAction', () => [{ title: 'Optimize this kernel', kind: 'refactor.rewrite.kernelwright' }]);
  assert.equal(await acceptCandidate(api, client, uri, candidate, undefined), 'not-offered');
  assert.deepEqual((client.requests[0].params as { range: unknown }).range, {
    start: { line: 0, character: 0 },
    end: { line: 4, character: 0 },
  });
  assert.match(api.messages[0].message, /candidate #1 is no longer offered for model\.py/);
});

test('VS Code refusing the edit is an error, not a silent success', async () => {
  const { api, client } = setup();
  api.applyResult = false;
  assert.equal(await acceptCandidate(api, client, uri, candidate, searchRange), 'refused');
  assert.equal(api.messages.at(-1)?.level, 'error');
});

test('the action is found by the candidate\'s id, whatever the titles say', async () => {
  // A later search re-ranked: the title "#1" is now another candidate, and two titles are equal.
  const api = new FakeApi();
  api.documents.set(uri, { uri, version: 7, text });
  const client = new FakeClient();
  const title = 'Apply candidate #1 — 2.4× vs eager · memory-bound · 86% of peak DRAM BW';
  client.handlers.set('textDocument/codeAction', () => [
    { title, kind: 'refactor.rewrite.kernelwright', data: applyData('run-b/n0001', 1) },
    { title: 'Apply candidate #12 — 1.01× vs eager', kind: 'refactor.rewrite.kernelwright', data: applyData('run-a/n0012', 12) },
    { title, kind: 'refactor.rewrite.kernelwright', data: applyData('run-a/n0003', 2) },
  ]);
  client.handlers.set('codeAction/resolve', (a) => ({ ...(a as CodeAction), edit: edit(7) }));
  assert.equal(await acceptCandidate(api, client, uri, candidate, searchRange), 'applied');
  const resolve = client.requests.find((r) => r.method === 'codeAction/resolve');
  assert.deepEqual((resolve?.params as CodeAction).data, applyData('run-a/n0003', 2));
});

test('an action without kernelwright apply data is never taken for a candidate', () => {
  const title = 'Apply candidate #1 — 2.4× vs eager';
  assert.equal(appliesCandidate({ title, data: applyData('run-a/n0003', 1) }, 'run-a/n0003'), true);
  assert.equal(appliesCandidate({ title, data: applyData('run-a/n0003', 1) }, 'run-a/n0012'), false);
  assert.equal(appliesCandidate({ title, data: { rank: 1 } }, 'run-a/n0003'), false);
  assert.equal(appliesCandidate({ title, data: { ...applyData('run-a/n0003', 1), tag: 'other' } }, 'run-a/n0003'), false);
  assert.equal(appliesCandidate({ title }, 'run-a/n0003'), false);
});
