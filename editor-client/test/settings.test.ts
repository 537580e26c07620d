import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerConfiguration, DEFAULT_SERVER_OPTIONS, initializationOptions, parseSettings } from '../src/settings';

test('no settings: initializationOptions carry the documented defaults', () => {
  const { settings, problems } = parseSettings({});
  assert.deepEqual(problems, []);
  assert.deepEqual(initializationOptions(settings), {
    device: 'auto',
    budget: 8,
    timeLimitS: 300,
    strategy: 'mcts',
    proposers: ['embedded'],
    model: null,
    storePath: null,
    shapeCommand: null,
    slowSpotSpeedup: 1.2,
    requireSandbox: null,
    executor: 'local',
    rayAddress: null,
  });
  assert.deepEqual(settings.interpreter, []);
});

test('every server setting reaches initializationOptions under the server\'s name (timeLimit → timeLimitS)', () => {
  const { settings, problems } = parseSettings(
    {
      device: 'cuda',
      budget: 64,
      timeLimit: 120.5,
      strategy: 'evolve',
      proposers: ['embedded', 'claude'],
      model: ' claude-sonnet-4 ',
      storePath: '${workspaceFolder}/.kw/results.sqlite',
      shapeCommand: ['python', '${workspaceFolder}/run_model.py'],
      slowSpotSpeedup: 1.5,
      requireSandbox: true,
      executor: 'ray',
      rayAddress: ' head:6379 ',
      interpreter: ['~/venv/bin/python', '-X', 'utf8'],
    },
    { workspaceFolder: '/ws', home: '/home/u' },
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(initializationOptions(settings), {
    device: 'cuda',
    budget: 64,
    timeLimitS: 120.5,
    strategy: 'evolve',
    proposers: ['embedded', 'claude'],
    model: 'claude-sonnet-4',
    storePath: '/ws/.kw/results.sqlite',
    shapeCommand: ['python', '/ws/run_model.py'],
    slowSpotSpeedup: 1.5,
    requireSandbox: true,
    executor: 'ray',
    rayAddress: 'head:6379',
  });
  assert.deepEqual(settings.interpreter, ['/home/u/venv/bin/python', '-X', 'utf8']);
});

test('invalid values are reported by name and replaced by their defaults, valid ones kept', () => {
  const { settings, problems } = parseSettings({
    device: 'tpu',
    budget: 2.5,
    timeLimit: -1,
    strategy: 'random',
    proposers: ['embedded', 'embedded'],
    model: 42,
    storePath: '',
    slowSpotSpeedup: 1,
  });
  assert.deepEqual(settings.server, { ...DEFAULT_SERVER_OPTIONS, proposers: ['embedded'] });
  assert.equal(problems.length, 7);
  assert.match(problems[0], /^kernelwright\.device must be one of auto, cpu, cuda; using "auto"\.$/);
  assert.match(problems[1], /^kernelwright\.budget must be an integer from 1 to 10000; using 8\.$/);
  assert.match(problems[2], /^kernelwright\.timeLimit .*; using 300\.$/);
  assert.match(problems[3], /^kernelwright\.strategy must be one of mcts, evolve; using "mcts"\.$/);
  assert.match(problems[4], /^kernelwright\.proposers lists a proposer twice; using \["embedded"\]\.$/);
  assert.match(problems[5], /^kernelwright\.model must be a string; using null\.$/);
  assert.match(problems[6], /^kernelwright\.slowSpotSpeedup must be a number above 1; using 1\.2\.$/);
});

test('an empty proposer list or a bad name is rejected', () => {
  assert.match(parseSettings({ proposers: [] }).problems[0], /non-empty list/);
  assert.match(parseSettings({ proposers: ['ok', 'rm -rf'] }).problems[0], /invalid proposer name\(s\): "rm -rf"/);
});

test('workspace/configuration: section "kernelwright" gets the validated options; others go to VS Code', () => {
  const { settings } = parseSettings({ budget: 8, device: 'bogus' });
  const { answers, delegate } = answerConfiguration(
    [{ section: 'kernelwright' }, { section: 'python' }, { section: 'kernelwright.budget' }, {}],
    settings,
  );
  assert.deepEqual(answers[0], { ...DEFAULT_SERVER_OPTIONS, proposers: ['embedded'], budget: 8 });
  assert.equal(answers[2], 8);
  assert.deepEqual(delegate, [1, 3]);
});
