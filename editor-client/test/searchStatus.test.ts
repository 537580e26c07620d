import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchTracker } from '../src/searchStatus';
import { FakeApi, FakeClient, flush } from './fakes';

const uri = 'file:///ws/model.py';
const range = { start: { line: 10, character: 4 }, end: { line: 12, character: 0 } };

function setup() {
  const api = new FakeApi();
  const client = new FakeClient();
  const tracker = new SearchTracker(api);
  tracker.attach(client);
  return { api, client, tracker, item: api.statusItems[0] };
}

test('status bar shows a running search with its best speedup so far, and clicking cancels it', () => {
  const { client, item, tracker } = setup();
  assert.equal(item.visible, false);
  client.notify('kernelwright/searchStarted', { jobId: 'j1', uri, range, title: 'Optimize Model.forward' });
  assert.equal(item.visible, true);
  assert.equal(item.text, '$(loading~spin) kernelwright starting');
  client.notify('kernelwright/searchProgress', {
    jobId: 'j1', evaluated: 5, failed: 1, budget: 16, bestSpeedup: 2.4, timeLeftS: 125, message: 'evaluating candidate 6',
  });
  assert.equal(item.text, '$(loading~spin) kernelwright 5/16 · best 2.4×');
  assert.equal(item.command, 'kernelwright.client.cancelSearch');
  assert.match(item.tooltip!, /Optimize Model\.forward/);
  assert.match(item.tooltip!, /5 evaluated, 1 failed, 2m 05s left/);
  assert.deepEqual(tracker.running().map((j) => j.jobId), ['j1']);
  assert.deepEqual(tracker.rangeFor(uri), range);
});

test('no measured speedup (CPU) shows no number', () => {
  const { client, item } = setup();
  client.notify('kernelwright/searchStarted', { jobId: 1, uri, range, title: 't' });
  client.notify('kernelwright/searchProgress', {
    jobId: 1, evaluated: 3, failed: 0, budget: 8, bestSpeedup: null, timeLeftS: null, message: '',
  });
  assert.equal(item.text, '$(loading~spin) kernelwright 3/8');
  assert.match(item.tooltip!, /No measured speedup yet/);
});

test('a finished search shows its candidates count and best in the status bar; clicking opens the picker', async () => {
  const { api, client, item, tracker } = setup();
  client.notify('kernelwright/searchStarted', { jobId: 'j1', uri, range, title: 't' });
  client.notify('kernelwright/searchFinished', {
    jobId: 'j1', uri, status: 'done', candidates: 3, bestSpeedup: 2.4, message: '3 candidates; best: 2.4× vs eager',
  });
  await flush();
  assert.deepEqual(tracker.running(), []);
  assert.equal(item.text, '$(check) kernelwright: 3 candidates · best 2.4×');
  assert.equal(item.command, 'kernelwright.client.showCandidates');
  assert.equal(api.messages.length, 0); // the server announces it (window/showMessage); no second pop-up
});

test('cancelled and failed searches say so in the status bar', async () => {
  const { client, item } = setup();
  client.notify('kernelwright/searchStarted', { jobId: 'a', uri, range, title: 't' });
  client.notify('kernelwright/searchFinished', { jobId: 'a', uri, status: 'cancelled', candidates: 0, bestSpeedup: null, message: '' });
  assert.equal(item.text, '$(circle-slash) kernelwright: search cancelled');
  client.notify('kernelwright/searchStarted', { jobId: 'b', uri, range, title: 't' });
  client.notify('kernelwright/searchFinished', {
    jobId: 'b', uri, status: 'failed', candidates: 0, bestSpeedup: null, message: 'failed: problem has no get_inputs()',
  });
  assert.equal(item.text, '$(error) kernelwright: search failed');
  assert.equal(item.tooltip, 'failed: problem has no get_inputs()');
  assert.equal(item.command, 'kernelwright.client.showLog');
});

test('two searches: the latest is shown with a count of the others', () => {
  const { client, item } = setup();
  client.notify('kernelwright/searchStarted', { jobId: 'a', uri, range, title: 'A' });
  client.notify('kernelwright/searchStarted', { jobId: 'b', uri: 'file:///ws/other.py', range, title: 'B' });
  client.notify('kernelwright/searchProgress', {
    jobId: 'b', evaluated: 1, failed: 0, budget: 4, bestSpeedup: 1.25, timeLeftS: 30, message: '',
  });
  assert.equal(item.text, '$(loading~spin) kernelwright 1/4 · best 1.25× (+1 more)');
});

test('a payload missing documented fields is logged and ignored', () => {
  const { api, client, item } = setup();
  client.notify('kernelwright/searchStarted', { jobId: 'a', uri });
  assert.equal(item.visible, false);
  assert.ok(api.logs.some((l) => l === 'warn: Ignored kernelwright/searchStarted: missing field(s): range, title'));
});

test('the server stopping clears running searches from the status bar', () => {
  const { client, item, tracker } = setup();
  client.notify('kernelwright/searchStarted', { jobId: 'a', uri, range, title: 'A' });
  tracker.serverStopped();
  assert.equal(item.visible, false);
  assert.deepEqual(tracker.running(), []);
});
