/**
 * `kernelwright.*` settings: parsed once into a typed object, each invalid
 * value reported and replaced by its default (the jedi-language-server
 * `initialization_options.py` rule: a bad setting never stops the server).
 */
import { CONFIG_SECTION } from './constants';

export const DEVICES = ['auto', 'cpu', 'cuda'] as const;
export const STRATEGIES = ['mcts', 'evolve'] as const;
export const EXECUTORS = ['local', 'ray'] as const;
export const TRACE_LEVELS = ['off', 'messages', 'verbose'] as const;

/** Options the server takes (server/config.py), under the server's camelCase
 * names; sent as initializationOptions and as the answer to
 * workspace/configuration for section "kernelwright". */
export interface ServerOptions {
  device: (typeof DEVICES)[number];
  budget: number;
  timeLimitS: number;
  strategy: (typeof STRATEGIES)[number];
  proposers: string[];
  model: string | null;
  storePath: string | null;
  shapeCommand: string[] | null;
  slowSpotSpeedup: number;
  /** null: the sandbox is required when the Claude proposer joins (docs/security.md). */
  requireSandbox: boolean | null;
  /** Where candidates run: local worker processes, or one Ray actor per GPU of a cluster. */
  executor: (typeof EXECUTORS)[number];
  /** The Ray cluster to join (HOST:PORT); null: the search starts a local Ray instance. */
  rayAddress: string | null;
}

export interface Settings {
  interpreter: string[];
  server: ServerOptions;
}

// Defaults match server/config.py's Settings (test/settingsContract.test.ts checks).
export const DEFAULT_SERVER_OPTIONS: Readonly<ServerOptions> = Object.freeze({
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

export const SERVER_OPTION_KEYS = Object.keys(DEFAULT_SERVER_OPTIONS) as (keyof ServerOptions)[];

/** The VS Code setting (under `kernelwright.`) for each server option, where the names differ. */
const SETTING_NAME: Partial<Record<keyof ServerOptions, string>> = { timeLimitS: 'timeLimit' };
export const settingName = (option: keyof ServerOptions): string => SETTING_NAME[option] ?? option;

/** Every setting key under `kernelwright.` that package.json contributes. */
export const SETTING_KEYS = ['interpreter', ...SERVER_OPTION_KEYS.map(settingName), 'trace.server'] as const;

export const MAX_BUDGET = 10000;
export const MAX_TIME_LIMIT_S = 86400;
const PROPOSER_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export interface ParsedSettings {
  settings: Settings;
  /** One line per rejected value, naming the setting and the default used. */
  problems: string[];
}

type Checked<T> = { ok: T } | { reason: string };
type Check<T> = (value: unknown) => Checked<T>;

const oneOf =
  <T extends string>(allowed: readonly T[]): Check<T> =>
  (v) =>
    allowed.includes(v as T) ? { ok: v as T } : { reason: `must be one of ${allowed.join(', ')}` };

function optionalString(v: unknown): Checked<string | null> {
  if (v === null) return { ok: null };
  if (typeof v !== 'string') return { reason: 'must be a string' };
  return { ok: v.trim() === '' ? null : v.trim() };
}

const checks: { [K in keyof ServerOptions]: Check<ServerOptions[K]> } = {
  device: oneOf(DEVICES),
  budget: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_BUDGET
      ? { ok: v }
      : { reason: `must be an integer from 1 to ${MAX_BUDGET}` },
  timeLimitS: (v) =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_TIME_LIMIT_S
      ? { ok: v }
      : { reason: `must be a number of seconds above 0 and at most ${MAX_TIME_LIMIT_S}` },
  strategy: oneOf(STRATEGIES),
  proposers: (v) => {
    if (!Array.isArray(v) || v.length === 0) return { reason: 'must be a non-empty list of proposer names' };
    const bad = v.filter((p) => typeof p !== 'string' || !PROPOSER_NAME.test(p));
    if (bad.length > 0) return { reason: `has invalid proposer name(s): ${bad.map((b) => JSON.stringify(b)).join(', ')}` };
    if (new Set(v).size !== v.length) return { reason: 'lists a proposer twice' };
    return { ok: [...(v as string[])] };
  },
  model: optionalString,
  storePath: optionalString,
  shapeCommand: (v) => {
    if (v === null || (Array.isArray(v) && v.length === 0)) return { ok: null };
    if (!Array.isArray(v) || !v.every((a) => typeof a === 'string' && a !== '')) {
      return { reason: 'must be a list of non-empty strings (a command and its arguments)' };
    }
    return { ok: [...(v as string[])] };
  },
  slowSpotSpeedup: (v) =>
    typeof v === 'number' && Number.isFinite(v) && v > 1 ? { ok: v } : { reason: 'must be a number above 1' },
  requireSandbox: (v) =>
    v === null || typeof v === 'boolean' ? { ok: v } : { reason: 'must be true, false or null' },
  executor: oneOf(EXECUTORS),
  rayAddress: optionalString,
};

/** Expands `${workspaceFolder}` and a leading `~` the way users write paths in settings. */
export function expandPath(p: string, workspaceFolder: string | undefined, home: string | undefined): string {
  let out = p;
  if (workspaceFolder !== undefined) out = out.split('${workspaceFolder}').join(workspaceFolder);
  if (home !== undefined && (out === '~' || out.startsWith('~/'))) out = home + out.slice(1);
  return out;
}

export function parseSettings(
  raw: Record<string, unknown>,
  env: { workspaceFolder?: string; home?: string } = {},
): ParsedSettings {
  const problems: string[] = [];
  const server: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, proposers: [...DEFAULT_SERVER_OPTIONS.proposers] };
  for (const key of SERVER_OPTION_KEYS) {
    const value = raw[settingName(key)];
    if (value === undefined) continue;
    const checked = (checks[key] as Check<unknown>)(value);
    if ('reason' in checked) {
      problems.push(
        `${CONFIG_SECTION}.${settingName(key)} ${checked.reason}; using ${JSON.stringify(DEFAULT_SERVER_OPTIONS[key])}.`,
      );
      continue;
    }
    (server as unknown as Record<string, unknown>)[key] = checked.ok;
  }
  if (server.storePath !== null) server.storePath = expandPath(server.storePath, env.workspaceFolder, env.home);
  if (server.shapeCommand !== null) {
    server.shapeCommand = server.shapeCommand.map((a) => expandPath(a, env.workspaceFolder, env.home));
  }

  let interpreter: string[] = [];
  const rawInterp = raw['interpreter'];
  if (rawInterp !== undefined && rawInterp !== null) {
    if (Array.isArray(rawInterp) && rawInterp.every((s) => typeof s === 'string')) {
      interpreter = rawInterp
        .map((s) => expandPath(s, env.workspaceFolder, env.home))
        .filter((s) => s.trim() !== '');
    } else if (typeof rawInterp === 'string') {
      interpreter = rawInterp.trim() === '' ? [] : [expandPath(rawInterp, env.workspaceFolder, env.home)];
    } else {
      problems.push(`${CONFIG_SECTION}.interpreter must be a list of strings; using the Python extension's interpreter.`);
    }
  }
  return { settings: { interpreter, server }, problems };
}

/** initializationOptions sent with `initialize`. */
export function initializationOptions(settings: Settings): ServerOptions {
  const s = settings.server;
  return { ...s, proposers: [...s.proposers], shapeCommand: s.shapeCommand === null ? null : [...s.shapeCommand] };
}

/**
 * Answers a workspace/configuration request: items for section "kernelwright"
 * get the validated server options, "kernelwright.<key>" one of them; other
 * items are left to VS Code (`undefined` at their index).
 */
export function answerConfiguration(
  items: { section?: string; scopeUri?: string }[],
  settings: Settings,
): { answers: unknown[]; delegate: number[] } {
  const answers: unknown[] = [];
  const delegate: number[] = [];
  const opts = initializationOptions(settings);
  items.forEach((item, i) => {
    if (item.section === CONFIG_SECTION) {
      answers.push(opts);
    } else if (item.section !== undefined && item.section.startsWith(CONFIG_SECTION + '.')) {
      const key = item.section.slice(CONFIG_SECTION.length + 1);
      if ((SERVER_OPTION_KEYS as string[]).includes(key)) {
        answers.push(opts[key as keyof ServerOptions]);
      } else if (key === 'interpreter') {
        answers.push([...settings.interpreter]);
      } else {
        answers.push(undefined);
        delegate.push(i);
      }
    } else {
      answers.push(undefined);
      delegate.push(i);
    }
  });
  return { answers, delegate };
}
