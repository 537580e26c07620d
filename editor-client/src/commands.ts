/**
 * The extension's own commands (kernelwright.client.*). The server's commands
 * (kernelwright.optimize/profile/cancel) are registered by the language client
 * from the server's executeCommandProvider; these call them through
 * workspace/executeCommand instead of registering them again.
 */
import { acceptCandidate } from './accept';
import { fetchCandidates, pickCandidate } from './candidates';
import {
  CLIENT_CMD_ACCEPT_CANDIDATE,
  CLIENT_CMD_CANCEL_SEARCH,
  CLIENT_CMD_OPTIMIZE_SELECTION,
  CLIENT_CMD_PROFILE,
  CLIENT_CMD_RESTART_SERVER,
  CLIENT_CMD_SHOW_CANDIDATES,
  CLIENT_CMD_SHOW_LOG,
  CMD_CANCEL,
  CMD_OPTIMIZE,
  CMD_PROFILE,
  CMD_SHOW_CANDIDATES,
  LSP_EXECUTE_COMMAND,
} from './constants';
import { formatSpeedup, sameUri, uriBasename } from './format';
import type { CancelArgs, Candidate, JobId, OptimizeArgs, ProfileArgs, Range } from './protocol';
import type { SearchTracker } from './searchStatus';
import type { Disposable, EditorSnapshot, LspClient, VscodeApi } from './vscodeApi';

export interface CommandContext {
  api: VscodeApi;
  /** The running client, or undefined (not started, untrusted, failed). */
  client(): LspClient | undefined;
  isTrusted(): boolean;
  explainRestricted(): Promise<void>;
  restart(): Promise<boolean>;
  tracker: SearchTracker;
}

export function executeServerCommand(client: LspClient, command: string, args: unknown[]): Promise<unknown> {
  return client.sendRequest(LSP_EXECUTE_COMMAND, { command, arguments: args });
}

async function requireClient(ctx: CommandContext): Promise<LspClient | undefined> {
  if (!ctx.isTrusted()) {
    await ctx.explainRestricted();
    return undefined;
  }
  const client = ctx.client();
  if (client === undefined) {
    const choice = await ctx.api.showErrorMessage(
      'kernelwright: the language server is not running.',
      'Restart server',
      'Show log',
    );
    if (choice === 'Restart server') await ctx.restart();
    if (choice === 'Show log') ctx.api.showOutput();
  }
  return client;
}

async function requirePythonEditor(ctx: CommandContext): Promise<EditorSnapshot | undefined> {
  const editor = ctx.api.activeEditor();
  if (editor === undefined || editor.languageId !== 'python') {
    await ctx.api.showWarningMessage('kernelwright: open a Python file and select the op or kernel first.');
    return undefined;
  }
  return editor;
}

function reportFailure(ctx: CommandContext, what: string) {
  return async (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    ctx.api.log.error(`${what}: ${msg}`);
    await ctx.api.showErrorMessage(`kernelwright: ${what} failed: ${msg}`);
  };
}

export async function optimizeSelection(ctx: CommandContext): Promise<void> {
  const client = await requireClient(ctx);
  if (client === undefined) return;
  const editor = await requirePythonEditor(ctx);
  if (editor === undefined) return;
  const args: OptimizeArgs = { uri: editor.uri, range: editor.selection };
  await executeServerCommand(client, CMD_OPTIMIZE, [args]).catch(reportFailure(ctx, 'Optimize'));
}

export async function profileSelection(ctx: CommandContext): Promise<void> {
  const client = await requireClient(ctx);
  if (client === undefined) return;
  const editor = await requirePythonEditor(ctx);
  if (editor === undefined) return;
  const args: ProfileArgs = { uri: editor.uri, range: editor.selection };
  // The server reports the outcome itself (progress, then window/showMessage).
  await executeServerCommand(client, CMD_PROFILE, [args]).catch(reportFailure(ctx, 'Profile'));
}

export async function cancelSearch(ctx: CommandContext): Promise<void> {
  const client = await requireClient(ctx);
  if (client === undefined) return;
  const running = ctx.tracker.running();
  if (running.length === 0) {
    await ctx.api.showInformationMessage('kernelwright: no search is running.');
    return;
  }
  let job = running[0];
  if (running.length > 1) {
    const picked = await ctx.api.showQuickPick(
      running.map((j) => ({
        label: j.title,
        description: uriBasename(j.uri),
        detail: `${j.evaluated}${j.budget !== undefined ? `/${j.budget}` : ''} evaluated${
          formatSpeedup(j.bestSpeedup) !== undefined ? ` · best ${formatSpeedup(j.bestSpeedup)}` : ''
        }`,
        value: j,
      })),
      { title: 'Cancel which kernelwright search?' },
    );
    if (picked === undefined) return;
    job = picked.value;
  }
  const args: CancelArgs = { jobId: job.jobId };
  await executeServerCommand(client, CMD_CANCEL, [args]).catch(reportFailure(ctx, 'Cancel'));
}

function documentUri(ctx: CommandContext, arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  // Invoked from a menu on an editor, VS Code passes its Uri object.
  if (arg !== null && typeof arg === 'object' && typeof (arg as { toString(): string }).toString === 'function') {
    const s = (arg as { toString(): string }).toString();
    if (/^[a-z][a-z0-9+.-]*:/i.test(s)) return s;
  }
  return ctx.api.activeEditor()?.uri;
}

/**
 * The range to ask code actions for: the target's (from a code lens), else the
 * range the candidate's search ran on, else the cursor in that document.
 */
function targetRange(ctx: CommandContext, uri: string, jobId: JobId | undefined, given: Range | undefined): Range | undefined {
  if (given !== undefined) return given;
  const fromSearch = ctx.tracker.rangeFor(uri, jobId);
  if (fromSearch !== undefined) return fromSearch;
  const editor = ctx.api.activeEditor();
  return editor !== undefined && sameUri(editor.uri, uri) ? editor.selection : undefined;
}

/** Shows the candidates of a document (of one target when `range` is given) and accepts the picked one. */
export async function showCandidates(ctx: CommandContext, uriArg?: unknown, range?: Range): Promise<void> {
  const client = await requireClient(ctx);
  if (client === undefined) return;
  const uri = documentUri(ctx, uriArg);
  if (uri === undefined) {
    await ctx.api.showWarningMessage('kernelwright: open the file whose candidates you want to see.');
    return;
  }
  try {
    const picked = await pickCandidate(ctx.api, client, uri, range);
    if (picked !== undefined) {
      await acceptCandidate(ctx.api, client, uri, picked, targetRange(ctx, uri, picked.jobId, range));
    }
  } catch (err) {
    await reportFailure(ctx, 'Show candidates')(err);
  }
}

/** Accept a candidate by rank (`uri`, `rank` arguments), or pick one. */
export async function acceptCandidateCommand(ctx: CommandContext, uriArg?: unknown, rankArg?: unknown): Promise<void> {
  if (typeof rankArg !== 'number') return showCandidates(ctx, uriArg);
  const client = await requireClient(ctx);
  if (client === undefined) return;
  const uri = documentUri(ctx, uriArg);
  if (uri === undefined) return;
  try {
    const candidate: Candidate | undefined = (await fetchCandidates(client, uri)).find((c) => c.rank === rankArg);
    if (candidate === undefined) {
      await ctx.api.showWarningMessage(`kernelwright: ${uriBasename(uri)} has no candidate #${rankArg}.`);
      return;
    }
    await acceptCandidate(ctx.api, client, uri, candidate, targetRange(ctx, uri, candidate.jobId, undefined));
  } catch (err) {
    await reportFailure(ctx, 'Accept candidate')(err);
  }
}

export const commandHandlers: Record<string, (ctx: CommandContext, ...args: unknown[]) => Promise<unknown>> = {
  [CLIENT_CMD_OPTIMIZE_SELECTION]: (ctx) => optimizeSelection(ctx),
  [CLIENT_CMD_PROFILE]: (ctx) => profileSelection(ctx),
  [CLIENT_CMD_CANCEL_SEARCH]: (ctx) => cancelSearch(ctx),
  [CLIENT_CMD_SHOW_CANDIDATES]: (ctx, uri) => showCandidates(ctx, uri),
  [CLIENT_CMD_ACCEPT_CANDIDATE]: (ctx, uri, rank) => acceptCandidateCommand(ctx, uri, rank),
  [CLIENT_CMD_RESTART_SERVER]: async (ctx) => {
    if (!ctx.isTrusted()) return ctx.explainRestricted();
    return ctx.restart();
  },
  [CLIENT_CMD_SHOW_LOG]: (ctx) => Promise.resolve(ctx.api.showOutput()),
};

/**
 * The server's "n candidates" code lens runs kernelwright.showCandidates with
 * `[{uri, range}]`; the extension answers it with its picker (and diff
 * preview) instead of the server's plain message. Returns false for other commands.
 */
export function interceptServerCommand(ctx: CommandContext, command: string, args: unknown[]): boolean {
  if (command !== CMD_SHOW_CANDIDATES) return false;
  const target = args[0] as { uri?: unknown; range?: Range } | undefined;
  if (typeof target?.uri !== 'string') return false;
  void showCandidates(ctx, target.uri, target.range);
  return true;
}

export function registerCommands(ctx: CommandContext): Disposable[] {
  return Object.entries(commandHandlers).map(([id, handler]) =>
    ctx.api.registerCommand(id, (...args: unknown[]) => handler(ctx, ...args)),
  );
}
