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

# Client → server request: list the ranked candidates of a document.
#   params {uri}; result {candidates: [{rank, title, speedupVsEager|null,
#   speedupVsCompile|null, bottleneck|null, peakPercent|null, outcome, jobId}]}
REQUEST_CANDIDATES = "kernelwright/candidates"

NOTIFICATIONS = (NOTIFY_SEARCH_STARTED, NOTIFY_SEARCH_PROGRESS, NOTIFY_SEARCH_FINISHED)
COMMANDS = (CMD_OPTIMIZE, CMD_PROFILE, CMD_CANCEL)
