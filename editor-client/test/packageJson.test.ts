/** package.json's contributions match what the code registers and reads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandHandlers } from '../src/commands';
import { CLIENT_COMMANDS, COMMANDS } from '../src/constants';
import { DEFAULT_SERVER_OPTIONS, DEVICES, MAX_BUDGET, SETTING_KEYS, settingName, STRATEGIES, type ServerOptions } from '../src/settings';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('contributed commands are exactly the extension\'s own, never the server\'s', () => {
  const ids: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  assert.deepEqual([...ids].sort(), [...CLIENT_COMMANDS].sort());
  assert.deepEqual([...ids].sort(), Object.keys(commandHandlers).sort());
  for (const server of COMMANDS) assert.ok(!ids.includes(server), `${server} is the language client's to register`);
  for (const c of pkg.contributes.commands) assert.equal(c.category, 'kernelwright');
});

test('a setting for every server option, with the defaults and choices the code uses', () => {
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(props).sort(), SETTING_KEYS.map((k) => `kernelwright.${k}`).sort());
  for (const [key, value] of Object.entries(DEFAULT_SERVER_OPTIONS)) {
    const declared = props[`kernelwright.${settingName(key as keyof ServerOptions)}`].default;
    assert.deepEqual(value === null ? null : value, declared === '' ? null : declared, key);
  }
  assert.deepEqual(props['kernelwright.device'].enum, [...DEVICES]);
  assert.deepEqual(props['kernelwright.strategy'].enum, [...STRATEGIES]);
  assert.equal(props['kernelwright.budget'].maximum, MAX_BUDGET);
});

test('untrusted workspaces: limited support, with the reason, and the interpreter setting restricted', () => {
  const u = pkg.capabilities.untrustedWorkspaces;
  assert.ok(u.supported === 'limited' || u.supported === false);
  assert.match(u.description, /runs?.*workspace/);
  assert.ok(u.restrictedConfigurations.includes('kernelwright.interpreter'));
});

test('packaging metadata lets vsce run unattended', () => {
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(pkg.repository?.url, 'repository');
  assert.ok(pkg.license, 'license');
  assert.ok(existsSync(join(root, 'LICENSE')), 'LICENSE file');
  assert.ok(existsSync(join(root, 'README.md')), 'README.md');
  for (const s of ['build', 'test', 'package']) assert.ok(pkg.scripts[s], `npm script ${s}`);
  assert.match(pkg.scripts.package, /vsce package --no-dependencies/);
  assert.match(pkg.dependencies['vscode-languageclient'], /^\^?9\./);
});
