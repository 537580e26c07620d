import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotificationProgress } from '../src/progress';
import type { WorkDoneProgressValue } from '../src/lsp';
import { FakeApi, FakeClient, flush } from './fakes';

function setup() {
  const api = new FakeApi();
  const client = new FakeClient();
  const ui = new NotificationProgress(api, (m, p) => client.sendNotification(m, p));
  const handlers = new Map<string | number, (v: WorkDoneProgressValue) => void>();
  let disposed = 0;
  const create = (token: string | number) =>
    ui.create(token, (h) => {
      handlers.set(token, h);
      return { dispose: () => void disposed++ };
    });
  return { api, client, ui, handlers, create, disposed: () => disposed };
}

test('a search shows a cancellable notification whose Cancel sends window/workDoneProgress/cancel with the token', async () => {
  const { api, client, handlers, create } = setup();
  create('kw-job-7');
  handlers.get('kw-job-7')!({ kind: 'begin', title: 'Optimizing Model.forward', cancellable: true, message: 'baseline', percentage: 0 });
  await flush();
  assert.equal(api.progresses.length, 1);
  assert.equal(api.progresses[0].title, 'Optimizing Model.forward');
  assert.equal(api.progresses[0].cancellable, true);
  assert.deepEqual(api.progresses[0].reports, [{ message: 'baseline' }]);

  api.progresses[0].cancel();
  api.progresses[0].cancel(); // a second click sends nothing more
  await flush();
  assert.deepEqual(client.notificationsSent, [{ method: 'window/workDoneProgress/cancel', params: { token: 'kw-job-7' } }]);
  // $/cancelRequest is not how a search stops.
  assert.ok(!client.notificationsSent.some((n) => n.method === '$/cancelRequest'));
});

test('reports move the bar by the percentage difference and update the message; end closes it', async () => {
  const { api, handlers, create, ui, disposed } = setup();
  create(3);
  const send = handlers.get(3)!;
  send({ kind: 'begin', title: 'Searching', cancellable: false });
  send({ kind: 'report', message: '4/16 evaluated', percentage: 25 });
  send({ kind: 'report', percentage: 50 });
  send({ kind: 'report', percentage: 40 }); // never moves backwards
  send({ kind: 'report', message: '16/16 evaluated', percentage: 100 });
  assert.equal(api.progresses[0].cancellable, false);
  assert.deepEqual(api.progresses[0].reports, [
    { message: '4/16 evaluated', increment: 25 },
    { increment: 25 },
    { message: '16/16 evaluated', increment: 50 },
  ]);
  assert.equal(api.progresses[0].done, false);
  send({ kind: 'end', message: 'done' });
  await flush();
  assert.equal(api.progresses[0].done, true);
  assert.deepEqual(ui.activeTokens, []);
  assert.equal(disposed(), 1);
});

test('after end, Cancel sends nothing; clear() closes every open notification', async () => {
  const { api, client, handlers, create, ui } = setup();
  create('a');
  create('b');
  handlers.get('a')!({ kind: 'begin', title: 'A', cancellable: true });
  handlers.get('b')!({ kind: 'begin', title: 'B', cancellable: true });
  handlers.get('a')!({ kind: 'end' });
  api.progresses[0].cancel();
  await flush();
  assert.deepEqual(client.notificationsSent, []);
  ui.clear();
  await flush();
  assert.deepEqual(api.progresses.map((p) => p.done), [true, true]);
});
