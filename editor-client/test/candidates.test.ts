import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateItems, pickCandidate } from '../src/candidates';
import { CANDIDATES } from './fixtures';
import { FakeApi, FakeClient } from './fakes';

const uri = 'file:///ws/model.py';


test('QuickPick items show rank, speedup, bottleneck and % of peak, best first', () => {
  const items = candidateItems(CANDIDATES);
  assert.deepEqual(
    items.map((i) => [i.label, i.description, i.detail]),
    [
      ['#1  2.4× vs eager', 'memory-bound · 86% of peak', 'Apply candidate #1 — 2.4× vs eager · memory-bound · 86% of peak DRAM BW · 1.12× vs torch.compile'],
      ['#2  1.3× vs eager', 'compute-bound · 41% of peak', 'Apply candidate #2 — 1.3× vs eager · compute-bound · 41% of peak FP32 · 0.9× vs torch.compile'],
      ['#3  speed not measured', '', 'Apply candidate #3 — correct on CPU'],
    ],
  );
});

test('the picker asks the server with kernelwright/candidates {uri} and returns the chosen candidate', async () => {
  const api = new FakeApi();
  const client = new FakeClient();
  client.handlers.set('kernelwright/candidates', () => ({ candidates: CANDIDATES }));
  api.pickIndex = 1;
  const picked = await pickCandidate(api, client, uri);
  assert.deepEqual(client.requests, [{ method: 'kernelwright/candidates', params: { uri } }]);
  assert.equal(api.quickPicks[0].title, 'kernelwright candidates for model.py');
  assert.equal(picked?.rank, 2);
});

test('no candidates: an explanation instead of an empty picker', async () => {
  const api = new FakeApi();
  const client = new FakeClient();
  client.handlers.set('kernelwright/candidates', () => ({ candidates: [] }));
  assert.equal(await pickCandidate(api, client, uri), undefined);
  assert.equal(api.quickPicks.length, 0);
  assert.match(api.messages[0].message, /no candidates for model\.py yet/);
});

test('a result that drifts from names.py is an error naming the missing field', async () => {
  const api = new FakeApi();
  const client = new FakeClient();
  client.handlers.set('kernelwright/candidates', () => ({ candidates: [{ id: 'r/n1', rank: 1, title: 'x' }] }));
  await assert.rejects(pickCandidate(api, client, uri), /candidate 0: missing field\(s\): speedupVsEager/);
});
