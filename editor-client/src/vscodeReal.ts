/** VscodeApi over the real `vscode` module. Kept free of logic: what is here is not unit-tested. */
import * as vscode from 'vscode';
import { CONFIG_SECTION, PREVIEW_SCHEME } from './constants';
import type { WorkspaceEdit } from './lsp';
import type { Range } from './protocol';
import { SETTING_KEYS } from './settings';
import type { Disposable, PickItem, StatusItem, VscodeApi } from './vscodeApi';

const toRange = (r: Range) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
const fromRange = (r: vscode.Range): Range => ({
  start: { line: r.start.line, character: r.start.character },
  end: { line: r.end.line, character: r.end.character },
});

/** Read-only documents holding the "after" side of diff previews. */
class PreviewContent implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  put(leftUri: vscode.Uri, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: leftUri.path, query: `preview=${++this.counter}` });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  drop(uri: vscode.Uri): void {
    this.texts.delete(uri.toString());
  }
}

function toWorkspaceEdit(edit: WorkspaceEdit): vscode.WorkspaceEdit {
  const out = new vscode.WorkspaceEdit();
  for (const change of edit.documentChanges ?? []) {
    if ('textDocument' in change) {
      const uri = vscode.Uri.parse(change.textDocument.uri);
      for (const e of change.edits) out.replace(uri, toRange(e.range), e.newText);
      continue;
    }
    const op = change as { kind: string; uri?: string; oldUri?: string; newUri?: string; options?: object };
    if (op.kind === 'create' && op.uri) out.createFile(vscode.Uri.parse(op.uri), op.options);
    else if (op.kind === 'rename' && op.oldUri && op.newUri)
      out.renameFile(vscode.Uri.parse(op.oldUri), vscode.Uri.parse(op.newUri), op.options);
    else if (op.kind === 'delete' && op.uri) out.deleteFile(vscode.Uri.parse(op.uri), op.options);
  }
  if (edit.documentChanges === undefined) {
    for (const [u, edits] of Object.entries(edit.changes ?? {})) {
      for (const e of edits) out.replace(vscode.Uri.parse(u), toRange(e.range), e.newText);
    }
  }
  return out;
}

export function createVscodeApi(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): VscodeApi {
  const previews = new PreviewContent();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews));

  return {
    log: {
      info: (m) => channel.info(m),
      warn: (m) => channel.warn(m),
      error: (m) => channel.error(m),
    },
    showInformationMessage: (m, ...a) => Promise.resolve(vscode.window.showInformationMessage(m, ...a)),
    showWarningMessage: (m, ...a) => Promise.resolve(vscode.window.showWarningMessage(m, ...a)),
    showErrorMessage: (m, ...a) => Promise.resolve(vscode.window.showErrorMessage(m, ...a)),
    confirm: async (message, detail, confirmLabel) =>
      (await vscode.window.showInformationMessage(message, { modal: true, detail }, confirmLabel)) === confirmLabel,
    showQuickPick: async <T>(items: PickItem<T>[], options: { title: string; placeHolder?: string }) =>
      await vscode.window.showQuickPick<PickItem<T>>(items, {
        title: options.title,
        placeHolder: options.placeHolder,
        matchOnDescription: true,
        matchOnDetail: true,
      }),
    withNotificationProgress: (options, task) =>
      Promise.resolve(
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: options.title, cancellable: options.cancellable },
          (progress, token) => task(progress, (listener) => void token.onCancellationRequested(listener)),
        ),
      ),
    createStatusItem: (): StatusItem => {
      const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
      context.subscriptions.push(item);
      return item as unknown as StatusItem;
    },
    showOutput: () => channel.show(true),

    activeEditor: () => {
      const e = vscode.window.activeTextEditor;
      if (e === undefined) return undefined;
      return { uri: e.document.uri.toString(), languageId: e.document.languageId, selection: fromRange(e.selection) };
    },
    openDocument: async (uri) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      return { uri: doc.uri.toString(), version: doc.version, text: doc.getText() };
    },
    showDiff: async (leftUri, rightText, title): Promise<Disposable> => {
      const left = vscode.Uri.parse(leftUri);
      const right = previews.put(left, rightText);
      await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
      return {
        dispose: () => {
          previews.drop(right);
          const tabs = vscode.window.tabGroups.all
            .flatMap((g) => g.tabs)
            .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString());
          if (tabs.length > 0) void vscode.window.tabGroups.close(tabs);
        },
      };
    },
    applyWorkspaceEdit: async (edit) => vscode.workspace.applyEdit(toWorkspaceEdit(edit)),

    readSettings: () => {
      const config = vscode.workspace.getConfiguration(CONFIG_SECTION, vscode.window.activeTextEditor?.document.uri);
      const out: Record<string, unknown> = {};
      for (const key of SETTING_KEYS) out[key] = config.get(key);
      return out;
    },
    onDidChangeSettings: (listener) =>
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(CONFIG_SECTION)) listener();
      }),
    workspaceFolderPath: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    isTrusted: () => vscode.workspace.isTrusted,
    onDidGrantWorkspaceTrust: (listener) => vscode.workspace.onDidGrantWorkspaceTrust(listener),

    registerCommand: (id, handler) => vscode.commands.registerCommand(id, handler),
    executeCommand: (id, ...args) => Promise.resolve(vscode.commands.executeCommand(id, ...args)),
  };
}
