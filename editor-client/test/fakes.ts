/** Recording fakes of the VS Code API wrapper and the language client. */
import type { DocumentSnapshot, EditorSnapshot, LspClient, PickItem, ProgressReporter, StatusItem, VscodeApi } from '../src/vscodeApi';
import type { ClientHandle } from '../src/session';
import type { WorkspaceEdit } from '../src/lsp';

export interface ShownMessage {
  level: 'info' | 'warning' | 'error';
  message: string;
  actions: string[];
}

export interface ShownProgress {
  title: string;
  cancellable: boolean;
  reports: { message?: string; increment?: number }[];
  cancel: () => void;
  done: boolean;
}

export class FakeStatusItem implements StatusItem {
  text = '';
  tooltip: string | undefined = undefined;
  command: string | undefined = undefined;
  visible = false;
  disposed = false;
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.disposed = true;
  }
}

export class FakeApi implements VscodeApi {
  logs: string[] = [];
  readonly log = {
    info: (m: string) => void this.logs.push(`info: ${m}`),
    warn: (m: string) => void this.logs.push(`warn: ${m}`),
    error: (m: string) => void this.logs.push(`error: ${m}`),
  };
  messages: ShownMessage[] = [];
  /** Answer for the next message with actions (first matching action wins). */
  messageAnswer: (m: ShownMessage) => string | undefined = () => undefined;
  confirms: { message: string; detail: string }[] = [];
  confirmAnswer = true;
  quickPicks: { items: PickItem<unknown>[]; title: string }[] = [];
  pickIndex: number | undefined = 0;
  progresses: ShownProgress[] = [];
  statusItems: FakeStatusItem[] = [];
  outputShown = 0;
  editor: EditorSnapshot | undefined;
  documents = new Map<string, DocumentSnapshot>();
  diffs: { leftUri: string; rightText: string; title: string; closed: boolean }[] = [];
  appliedEdits: WorkspaceEdit[] = [];
  applyResult = true;
  settings: Record<string, unknown> = {};
  settingsListeners: (() => void)[] = [];
  trusted = true;
  trustListeners: (() => void)[] = [];
  commands = new Map<string, (...args: unknown[]) => unknown>();
  executed: { id: string; args: unknown[] }[] = [];
  folder: string | undefined = '/ws';

  private say(level: ShownMessage['level'], message: string, actions: string[]): Promise<string | undefined> {
    const m = { level, message, actions };
    this.messages.push(m);
    return Promise.resolve(actions.length > 0 ? this.messageAnswer(m) : undefined);
  }
  showInformationMessage(message: string, ...actions: string[]) {
    return this.say('info', message, actions);
  }
  showWarningMessage(message: string, ...actions: string[]) {
    return this.say('warning', message, actions);
  }
  showErrorMessage(message: string, ...actions: string[]) {
    return this.say('error', message, actions);
  }
  async confirm(message: string, detail: string): Promise<boolean> {
    this.confirms.push({ message, detail });
    return this.confirmAnswer;
  }
  async showQuickPick<T>(items: PickItem<T>[], options: { title: string }): Promise<PickItem<T> | undefined> {
    this.quickPicks.push({ items, title: options.title });
    return this.pickIndex === undefined ? undefined : items[this.pickIndex];
  }
  withNotificationProgress(
    options: { title: string; cancellable: boolean },
    task: (progress: ProgressReporter, onCancel: (listener: () => void) => void) => Promise<void>,
  ): Promise<void> {
    const cancelListeners: (() => void)[] = [];
    const shown: ShownProgress = {
      ...options,
      reports: [],
      cancel: () => cancelListeners.forEach((l) => l()),
      done: false,
    };
    this.progresses.push(shown);
    return task({ report: (v) => void shown.reports.push(v) }, (l) => void cancelListeners.push(l)).then(() => {
      shown.done = true;
    });
  }
  createStatusItem(): StatusItem {
    const item = new FakeStatusItem();
    this.statusItems.push(item);
    return item;
  }
  showOutput(): void {
    this.outputShown++;
  }
  activeEditor() {
    return this.editor;
  }
  async openDocument(uri: string): Promise<DocumentSnapshot> {
    const doc = this.documents.get(uri);
    if (doc === undefined) throw new Error(`no document ${uri}`);
    return { ...doc };
  }
  async showDiff(leftUri: string, rightText: string, title: string) {
    const diff = { leftUri, rightText, title, closed: false };
    this.diffs.push(diff);
    return { dispose: () => void (diff.closed = true) };
  }
  async applyWorkspaceEdit(edit: WorkspaceEdit): Promise<boolean> {
    if (this.applyResult) this.appliedEdits.push(edit);
    return this.applyResult;
  }
  readSettings() {
    return { ...this.settings };
  }
  onDidChangeSettings(listener: () => void) {
    this.settingsListeners.push(listener);
    return { dispose: () => void (this.settingsListeners = this.settingsListeners.filter((l) => l !== listener)) };
  }
  changeSettings(next: Record<string, unknown>): void {
    this.settings = next;
    this.settingsListeners.forEach((l) => l());
  }
  workspaceFolderPath() {
    return this.folder;
  }
  isTrusted() {
    return this.trusted;
  }
  onDidGrantWorkspaceTrust(listener: () => void) {
    this.trustListeners.push(listener);
    return { dispose: () => undefined };
  }
  grantTrust(): void {
    this.trusted = true;
    this.trustListeners.forEach((l) => l());
  }
  registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
    if (this.commands.has(id)) throw new Error(`command ${id} already registered`);
    this.commands.set(id, handler);
    return { dispose: () => void this.commands.delete(id) };
  }
  async executeCommand(id: string, ...args: unknown[]) {
    this.executed.push({ id, args });
    return undefined;
  }
}

export type RequestHandler = (params: unknown) => unknown;

export class FakeClient implements LspClient, ClientHandle {
  requests: { method: string; params: unknown }[] = [];
  notificationsSent: { method: string; params: unknown }[] = [];
  handlers = new Map<string, RequestHandler>();
  notificationHandlers = new Map<string, (params: unknown) => void>();
  started = 0;
  stopped = 0;
  failStart: Error | undefined;

  async start(): Promise<void> {
    this.started++;
    if (this.failStart) throw this.failStart;
  }
  async stop(): Promise<void> {
    this.stopped++;
  }
  async sendRequest<R>(method: string, params: unknown): Promise<R> {
    this.requests.push({ method, params });
    const h = this.handlers.get(method);
    if (h === undefined) return null as R;
    return (await h(params)) as R;
  }
  async sendNotification(method: string, params: unknown): Promise<void> {
    this.notificationsSent.push({ method, params });
  }
  onNotification(method: string, handler: (params: unknown) => void) {
    this.notificationHandlers.set(method, handler);
    return { dispose: () => void this.notificationHandlers.delete(method) };
  }
  /** The server sends a notification. */
  notify(method: string, params: unknown): void {
    const h = this.notificationHandlers.get(method);
    if (h === undefined) throw new Error(`nobody listens to ${method}`);
    h(params);
  }
}

export const flush = () => new Promise((r) => setImmediate(r));
