/**
 * Every LSP name the extension and the Python server agree on, mirrored from
 * `server/names.py` (test/contract.test.ts compares the two), plus the
 * extension's own identifiers.
 */

// ---- mirrored from server/names.py (same names, same values) ----
export const CODE_ACTION_KIND = 'refactor.rewrite.kernelwright';

export const OPTIMIZE_TITLE_PREFIX = 'Optimize';
export const APPLY_TITLE_PREFIX = 'Apply candidate';

export const CMD_OPTIMIZE = 'kernelwright.optimize';
export const CMD_PROFILE = 'kernelwright.profile';
export const CMD_CANCEL = 'kernelwright.cancel';

export const NOTIFY_SEARCH_STARTED = 'kernelwright/searchStarted';
export const NOTIFY_SEARCH_PROGRESS = 'kernelwright/searchProgress';
export const NOTIFY_SEARCH_FINISHED = 'kernelwright/searchFinished';

export const REQUEST_CANDIDATES = 'kernelwright/candidates';

/** `data.tag` of an "Apply candidate" code action (payload: protocol.ts ApplyData). */
export const APPLY_DATA_TAG = 'kernelwright.apply';

export const NOTIFICATIONS = [NOTIFY_SEARCH_STARTED, NOTIFY_SEARCH_PROGRESS, NOTIFY_SEARCH_FINISHED] as const;
export const COMMANDS = [CMD_OPTIMIZE, CMD_PROFILE, CMD_CANCEL] as const;

/** The server's "n candidates" code lens command; the extension shows its own picker instead. */
export const CMD_SHOW_CANDIDATES = 'kernelwright.showCandidates';
export const QUICKFIX_SHAPES_TITLE_PREFIX = 'Add kernelwright shape annotation';
export const QUICKFIX_INIT_TITLE_PREFIX = 'Add kernelwright constructor annotation';
export const DIAG_SHAPES_UNKNOWN = 'shapes-unknown';
export const DIAG_ANNOTATION_ERROR = 'annotation-error';
export const DIAG_SLOW_SPOT = 'slow-spot';

// ---- the extension's own identifiers (not part of names.py) ----
export const EXTENSION_NAME = 'kernelwright';
export const CONFIG_SECTION = 'kernelwright';
export const OUTPUT_CHANNEL_NAME = 'kernelwright';

/** The server's commands are registered by the language client (from the
 * server's executeCommandProvider); the extension's own commands live under
 * this prefix so they never collide with them. */
export const CLIENT_COMMAND_PREFIX = 'kernelwright.client.';

export const CLIENT_CMD_OPTIMIZE_SELECTION = 'kernelwright.client.optimizeSelection';
export const CLIENT_CMD_PROFILE = 'kernelwright.client.profile';
export const CLIENT_CMD_CANCEL_SEARCH = 'kernelwright.client.cancelSearch';
export const CLIENT_CMD_SHOW_CANDIDATES = 'kernelwright.client.showCandidates';
export const CLIENT_CMD_ACCEPT_CANDIDATE = 'kernelwright.client.acceptCandidate';
export const CLIENT_CMD_RESTART_SERVER = 'kernelwright.client.restartServer';
export const CLIENT_CMD_SHOW_LOG = 'kernelwright.client.showLog';

export const CLIENT_COMMANDS = [
  CLIENT_CMD_OPTIMIZE_SELECTION,
  CLIENT_CMD_PROFILE,
  CLIENT_CMD_CANCEL_SEARCH,
  CLIENT_CMD_SHOW_CANDIDATES,
  CLIENT_CMD_ACCEPT_CANDIDATE,
  CLIENT_CMD_RESTART_SERVER,
  CLIENT_CMD_SHOW_LOG,
] as const;

/** URI scheme of the read-only "after" side of the candidate diff preview. */
export const PREVIEW_SCHEME = 'kernelwright-preview';

/** Python extension id; its API supplies the interpreter. */
export const PYTHON_EXTENSION_ID = 'ms-python.python';

// Standard LSP method names used by the extension's own logic.
export const LSP_EXECUTE_COMMAND = 'workspace/executeCommand';
export const LSP_CODE_ACTION = 'textDocument/codeAction';
export const LSP_CODE_ACTION_RESOLVE = 'codeAction/resolve';
export const LSP_WORK_DONE_PROGRESS_CREATE = 'window/workDoneProgress/create';
export const LSP_WORK_DONE_PROGRESS_CANCEL = 'window/workDoneProgress/cancel';
