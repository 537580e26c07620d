/**
 * Accepting a candidate: find the server's code action for it (by the candidate's
 * id in the action's data, never by its title), resolve it into its versioned
 * edit, show the edit as a diff, and apply it only after the user confirms.
 */
import { applyTextEdits, wholeDocumentRange } from './applyEdits';
import {
  APPLY_DATA_TAG,
  CODE_ACTION_KIND,
  LSP_CODE_ACTION,
  LSP_CODE_ACTION_RESOLVE,
  LSP_EXECUTE_COMMAND,
} from './constants';
import { formatPercent, formatSpeedup, plural, sameUri, uriBasename } from './format';
import { isCodeAction, type CodeAction, type Command, type TextEdit, type WorkspaceEdit } from './lsp';
import { APPLY_DATA_SCHEMA, readPayload, type Candidate, type Range } from './protocol';
import type { LspClient, VscodeApi } from './vscodeApi';

export const APPLY_LABEL = 'Apply';

export type AcceptOutcome = 'applied' | 'declined' | 'stale' | 'not-offered' | 'no-edit' | 'refused';

/** Whether a code action is the server's "Apply" action for the candidate with this id. */
export function appliesCandidate(action: CodeAction, candidateId: string): boolean {
  const data = readPayload(action.data, APPLY_DATA_SCHEMA);
  return 'value' in data && data.value.tag === APPLY_DATA_TAG && data.value.candidateId === candidateId;
}

export interface DocumentEdits {
  version: number | null;
  edits: TextEdit[];
  otherFiles: number;
}

/** The edits a WorkspaceEdit makes to `uri`, and how many other files it touches. */
export function editsForDocument(edit: WorkspaceEdit, uri: string): DocumentEdits {
  const edits: TextEdit[] = [];
  let version: number | null = null;
  const others = new Set<string>();
  for (const change of edit.documentChanges ?? []) {
    if (!('textDocument' in change)) {
      others.add(JSON.stringify(change));
      continue;
    }
    if (sameUri(change.textDocument.uri, uri)) {
      edits.push(...change.edits);
      if (change.textDocument.version !== null && change.textDocument.version !== undefined) {
        version = change.textDocument.version;
      }
    } else {
      others.add(change.textDocument.uri);
    }
  }
  if (edit.documentChanges === undefined) {
    for (const [u, list] of Object.entries(edit.changes ?? {})) {
      if (sameUri(u, uri)) edits.push(...list);
      else others.add(u);
    }
  }
  return { version, edits, otherFiles: others.size };
}

export function describeCandidate(c: Candidate): string {
  const parts = [
    formatSpeedup(c.speedupVsEager) !== undefined ? `${formatSpeedup(c.speedupVsEager)} vs eager` : 'speed not measured',
    formatSpeedup(c.speedupVsCompile) !== undefined ? `${formatSpeedup(c.speedupVsCompile)} vs torch.compile` : undefined,
    c.bottleneck ?? undefined,
    formatPercent(c.peakPercent) !== undefined ? `${formatPercent(c.peakPercent)} of peak` : undefined,
  ];
  return parts.filter((p): p is string => p !== undefined).join(' · ');
}

export async function findApplyAction(
  client: LspClient,
  uri: string,
  range: Range,
  candidateId: string,
): Promise<CodeAction | undefined> {
  const result = await client.sendRequest<(CodeAction | Command)[] | null>(LSP_CODE_ACTION, {
    textDocument: { uri },
    range,
    context: { diagnostics: [], only: [CODE_ACTION_KIND], triggerKind: 1 },
  });
  return (result ?? []).filter(isCodeAction).find(
    (a) =>
      appliesCandidate(a, candidateId) &&
      (a.kind === undefined || a.kind === CODE_ACTION_KIND || a.kind.startsWith(CODE_ACTION_KIND + '.')) &&
      a.disabled === undefined,
  );
}

export async function acceptCandidate(
  api: VscodeApi,
  client: LspClient,
  uri: string,
  candidate: Candidate,
  searchRange: Range | undefined,
): Promise<AcceptOutcome> {
  const name = uriBasename(uri);
  const doc = await api.openDocument(uri);
  const range = searchRange ?? wholeDocumentRange(doc.text);

  let action = await findApplyAction(client, uri, range, candidate.id);
  if (action === undefined) {
    await api.showWarningMessage(
      `kernelwright: candidate #${candidate.rank} is no longer offered for ${name}; run the search again.`,
    );
    return 'not-offered';
  }
  if (action.edit === undefined) {
    action = await client.sendRequest<CodeAction>(LSP_CODE_ACTION_RESOLVE, action);
  }
  if (action.edit === undefined) {
    await api.showErrorMessage(`kernelwright: the server returned no edit for candidate #${candidate.rank}.`);
    return 'no-edit';
  }

  const mine = editsForDocument(action.edit, uri);
  const current = await api.openDocument(uri);
  if (mine.version !== null && mine.version !== current.version) {
    await api.showWarningMessage(
      `kernelwright: ${name} changed after candidate #${candidate.rank} was prepared; nothing was applied. ` +
        'Run Show Candidates again to get an edit for the current text.',
    );
    return 'stale';
  }

  const after = applyTextEdits(current.text, mine.edits);
  const preview = await api.showDiff(uri, after, `${name} ↔ candidate #${candidate.rank} (${describeCandidate(candidate)})`);
  let confirmed: boolean;
  try {
    const also = mine.otherFiles > 0 ? ` It also changes ${plural(mine.otherFiles, 'other file')}.` : '';
    confirmed = await api.confirm(
      `Apply candidate #${candidate.rank} to ${name}?`,
      `${describeCandidate(candidate)}.${also}`,
      APPLY_LABEL,
    );
  } finally {
    preview.dispose();
  }
  if (!confirmed) return 'declined';

  const applied = await api.applyWorkspaceEdit(action.edit);
  if (!applied) {
    await api.showErrorMessage(
      `kernelwright: VS Code did not apply candidate #${candidate.rank} (the document may have changed).`,
    );
    return 'refused';
  }
  if (action.command !== undefined) {
    // LSP order: a code action's command runs after its edit.
    await client.sendRequest(LSP_EXECUTE_COMMAND, {
      command: action.command.command,
      arguments: action.command.arguments ?? [],
    });
  }
  return 'applied';
}
