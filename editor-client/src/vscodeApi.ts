/**
 * The thin slice of the VS Code API the extension's logic uses, in plain data
 * (LSP-style positions, string URIs). `vscodeReal.ts` implements it over the
 * real `vscode` module; the unit tests use a fake. Nothing that imports this
 * file may import `vscode`.
 */
import type { Range } from './protocol';
import type { WorkspaceEdit } from './lsp';

export interface Disposable {
  dispose(): void;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

export interface ProgressReporter {
  report(value: { message?: string; increment?: number }): void;
}

export interface StatusItem {
  text: string;
  tooltip: string | undefined;
  command: string | undefined;
  show(): void;
  hide(): void;
  dispose(): void;
}

export interface EditorSnapshot {
  uri: string;
  languageId: string;
  selection: Range;
}

export interface DocumentSnapshot {
  uri: string;
  version: number;
  text: string;
}

export interface VscodeApi {
  readonly log: Logger;

  showInformationMessage(message: string, ...actions: string[]): Promise<string | undefined>;
  showWarningMessage(message: string, ...actions: string[]): Promise<string | undefined>;
  showErrorMessage(message: string, ...actions: string[]): Promise<string | undefined>;
  /** A modal dialog; resolves true only when the user picks `confirmLabel`. */
  confirm(message: string, detail: string, confirmLabel: string): Promise<boolean>;
  showQuickPick<T>(items: PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<PickItem<T> | undefined>;
  /** Notification-area progress; `onCancel` fires when the user presses its Cancel button. */
  withNotificationProgress(
    options: { title: string; cancellable: boolean },
    task: (progress: ProgressReporter, onCancel: (listener: () => void) => void) => Promise<void>,
  ): Promise<void>;
  createStatusItem(): StatusItem;
  showOutput(): void;

  activeEditor(): EditorSnapshot | undefined;
  openDocument(uri: string): Promise<DocumentSnapshot>;
  /** Shows `leftUri` against `rightText` in a diff editor; the handle closes it. */
  showDiff(leftUri: string, rightText: string, title: string): Promise<Disposable>;
  applyWorkspaceEdit(edit: WorkspaceEdit): Promise<boolean>;

  /** The raw `kernelwright.*` settings (keys without the section prefix). */
  readSettings(): Record<string, unknown>;
  onDidChangeSettings(listener: () => void): Disposable;
  workspaceFolderPath(): string | undefined;
  isTrusted(): boolean;
  onDidGrantWorkspaceTrust(listener: () => void): Disposable;

  registerCommand(id: string, handler: (...args: unknown[]) => unknown): Disposable;
  executeCommand(id: string, ...args: unknown[]): Promise<unknown>;
}

/** What the logic needs of a running language client. */
export interface LspClient {
  sendRequest<R = unknown>(method: string, params: unknown): Promise<R>;
  sendNotification(method: string, params: unknown): Promise<void>;
  onNotification(method: string, handler: (params: unknown) => void): Disposable;
}
