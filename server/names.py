"""Every LSP name the server and the editor client agree on, in one place.

The VS Code extension mirrors these in `editor-client/src/constants.ts`; a
contract test compares the two.
"""

CODE_ACTION_KIND = "refactor.rewrite.kernelwright"

OPTIMIZE_TITLE_PREFIX = "Optimize"
APPLY_TITLE_PREFIX = "Apply candidate"

CMD_OPTIMIZE = "kernelwright.optimize"
CMD_PROFILE = "kernelwright.profile"
CMD_CANCEL = "kernelwright.cancel"

# Server → client notifications. Payloads (JSON objects):
#   searchStarted:  {jobId, uri, range, title}
#   searchProgress: {jobId, evaluated, failed, budget, bestSpeedup|null, timeLeftS|null, message}
#   searchFinished: {jobId, uri, status: "done"|"cancelled"|"failed", candidates: int,
#                    bestSpeedup|null, message}
NOTIFY_SEARCH_STARTED = "kernelwright/searchStarted"
NOTIFY_SEARCH_PROGRESS = "kernelwright/searchProgress"
NOTIFY_SEARCH_FINISHED = "kernelwright/searchFinished"

# Client → server request: list the ranked candidates of a document. A candidate's id
# (`<search run>/<node>` in the results store) names it for good; its rank and title
# change with every search.
#   params {uri}; result {candidates: [{id, rank, title, speedupVsEager|null,
#   speedupVsCompile|null, bottleneck|null, peakPercent|null, outcome, jobId}]}
REQUEST_CANDIDATES = "kernelwright/candidates"

# The `data` of an "Apply candidate" code action, which `codeAction/resolve` turns into
# its edit. A client finds the action for a candidate by `candidateId`, never by title.
#   applyData: {tag, candidateId, rank, uri, version, signature, start, end}
APPLY_DATA_TAG = "kernelwright.apply"

NOTIFICATIONS = (NOTIFY_SEARCH_STARTED, NOTIFY_SEARCH_PROGRESS, NOTIFY_SEARCH_FINISHED)
COMMANDS = (CMD_OPTIMIZE, CMD_PROFILE, CMD_CANCEL)

# Added by the language server (mirror in constants.ts):
# shows the ranked candidates of a target as a message (code lens "n candidates").
CMD_SHOW_CANDIDATES = "kernelwright.showCandidates"
# Quick fix kind for inserting a shape annotation.
QUICKFIX_SHAPES_TITLE_PREFIX = "Add kernelwright shape annotation"
QUICKFIX_INIT_TITLE_PREFIX = "Add kernelwright constructor annotation"
# Diagnostic codes the server publishes (source "kernelwright").
DIAG_SHAPES_UNKNOWN = "shapes-unknown"
DIAG_ANNOTATION_ERROR = "annotation-error"
DIAG_SLOW_SPOT = "slow-spot"
