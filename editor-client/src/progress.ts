/**
 * Server-initiated work-done progress shown as a notification with a Cancel
 * button. The language client's own progress UI sits in the status bar,
 * where VS Code shows no Cancel button; this replaces it (see
 * languageClient.ts). Cancel sends `window/workDoneProgress/cancel` with the
 * token — the server stops the search through it, not through $/cancelRequest.
 */
import { LSP_WORK_DONE_PROGRESS_CANCEL } from './constants';
import type { ProgressToken, WorkDoneProgressValue } from './lsp';
import type { Disposable, ProgressReporter, VscodeApi } from './vscodeApi';

interface Entry {
  token: ProgressToken;
  subscription: Disposable | undefined;
  reporter: ProgressReporter | undefined;
  started: boolean;
  message: string | undefined;
  latestPercentage: number; // 0–100, as last reported by the server
  shownPercentage: number; // what the notification's bar shows
  cancelSent: boolean;
  finish: (() => void) | undefined;
  finished: boolean;
}

export type SendNotification = (method: string, params: unknown) => Promise<void>;

export class NotificationProgress {
  private readonly entries = new Map<ProgressToken, Entry>();

  constructor(
    private readonly api: VscodeApi,
    private readonly sendNotification: SendNotification,
  ) {}

  /** Handles window/workDoneProgress/create; `subscribe` attaches to $/progress for the token. */
  create(token: ProgressToken, subscribe: (handler: (value: WorkDoneProgressValue) => void) => Disposable): void {
    this.entries.get(token)?.subscription?.dispose();
    const entry: Entry = {
      token,
      subscription: undefined,
      reporter: undefined,
      started: false,
      message: undefined,
      latestPercentage: 0,
      shownPercentage: 0,
      cancelSent: false,
      finish: undefined,
      finished: false,
    };
    this.entries.set(token, entry);
    entry.subscription = subscribe((value) => this.handle(entry, value));
  }

  get activeTokens(): ProgressToken[] {
    return [...this.entries.keys()];
  }

  /** Cancels through the work-done token, as the Cancel button does. */
  async cancel(token: ProgressToken): Promise<void> {
    const entry = this.entries.get(token);
    if (entry === undefined || entry.cancelSent) return;
    entry.cancelSent = true;
    try {
      await this.sendNotification(LSP_WORK_DONE_PROGRESS_CANCEL, { token });
    } catch (err) {
      this.api.log.error(`Could not cancel progress ${String(token)}: ${String(err)}`);
    }
  }

  /** The connection went away: close every notification. */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.end(entry);
  }

  private handle(entry: Entry, value: WorkDoneProgressValue): void {
    if (entry.finished) return;
    switch (value.kind) {
      case 'begin':
        if (entry.started) return;
        entry.started = true;
        this.update(entry, value.message, value.percentage, false);
        this.api
          .withNotificationProgress({ title: value.title, cancellable: value.cancellable === true }, (progress, onCancel) => {
            entry.reporter = progress;
            onCancel(() => void this.cancel(entry.token));
            this.update(entry, undefined, undefined, true);
            return new Promise<void>((resolve) => {
              entry.finish = resolve;
              if (entry.finished) resolve();
            });
          })
          .catch((err) => this.api.log.error(`Progress notification failed: ${String(err)}`));
        return;
      case 'report':
        this.update(entry, value.message, value.percentage, false);
        return;
      case 'end':
        this.end(entry);
        return;
    }
  }

  private update(entry: Entry, message: string | undefined, percentage: number | undefined, initial: boolean): void {
    if (message !== undefined) entry.message = message;
    if (percentage !== undefined) entry.latestPercentage = Math.max(0, Math.min(100, percentage));
    // Until withProgress calls back there is nothing to report to; its first
    // (initial) update shows the state gathered so far.
    if (entry.reporter === undefined) return;
    const shown: { message?: string; increment?: number } = {};
    if (entry.message !== undefined && (message !== undefined || initial)) shown.message = entry.message;
    const increment = entry.latestPercentage - entry.shownPercentage;
    if (increment > 0) {
      shown.increment = increment;
      entry.shownPercentage = entry.latestPercentage;
    }
    if (shown.message !== undefined || shown.increment !== undefined) entry.reporter.report(shown);
  }

  private end(entry: Entry): void {
    entry.finished = true;
    entry.subscription?.dispose();
    entry.finish?.();
    this.entries.delete(entry.token);
  }
}
