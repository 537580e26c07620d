/**
 * How `kernelwright serve` is started: with the interpreter from the
 * `kernelwright.interpreter` setting, else the one selected in the Python
 * extension, else the `kernelwright` script on PATH.
 */
import type { Logger } from './vscodeApi';

export type LaunchSource = 'setting' | 'python-extension' | 'path';

export interface ServerLaunch {
  command: string;
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  source: LaunchSource;
}

/**
 * `python -m kernelwright.server.serve` is what `kernelwright serve` runs; through
 * the interpreter it works wherever the package is importable, whether or not
 * the console script's bin directory is on PATH.
 */
export const SERVE_MODULE = 'kernelwright.server.serve';
export const PATH_EXECUTABLE = 'kernelwright';

export function buildLaunch(
  interpreter: string[] | undefined,
  source: LaunchSource,
  cwd: string | undefined,
  baseEnv: Record<string, string | undefined>,
): ServerLaunch {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined) env[k] = v;
  // The server's log lines reach the output channel as they happen.
  env.PYTHONUNBUFFERED = '1';
  if (interpreter === undefined || interpreter.length === 0) {
    return { command: PATH_EXECUTABLE, args: ['serve'], cwd, env, source: 'path' };
  }
  const [command, ...leading] = interpreter;
  return { command, args: [...leading, '-m', SERVE_MODULE], cwd, env, source };
}

export async function resolveLaunch(
  interpreterSetting: string[],
  pythonExtensionInterpreter: () => Promise<string[] | undefined>,
  cwd: string | undefined,
  baseEnv: Record<string, string | undefined>,
  log: Logger,
): Promise<ServerLaunch> {
  if (interpreterSetting.length > 0) {
    return buildLaunch(interpreterSetting, 'setting', cwd, baseEnv);
  }
  let fromExtension: string[] | undefined;
  try {
    fromExtension = await pythonExtensionInterpreter();
  } catch (err) {
    log.warn(`Python extension did not supply an interpreter: ${String(err)}`);
  }
  if (fromExtension !== undefined && fromExtension.length > 0) {
    return buildLaunch(fromExtension, 'python-extension', cwd, baseEnv);
  }
  log.warn(
    'No interpreter from kernelwright.interpreter or the Python extension; starting `kernelwright serve` from PATH.',
  );
  return buildLaunch(undefined, 'path', cwd, baseEnv);
}

export function describeLaunch(l: ServerLaunch): string {
  const shown = l.args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a));
  return `${l.command} ${shown.join(' ')} (interpreter from ${l.source})`;
}
