/**
 * The language server's lifecycle: start only in a trusted workspace, with
 * validated settings; restart when `kernelwright.*` settings or the Python
 * interpreter change; never run two servers at once.
 */
import { CONFIG_SECTION } from './constants';
import { resolveLaunch, describeLaunch, type ServerLaunch } from './serverLaunch';
import { parseSettings, type Settings } from './settings';
import type { Disposable, LspClient, StatusItem, VscodeApi } from './vscodeApi';

export interface ClientHandle extends LspClient {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Creates (does not start) a client for one server process. `settings()`
 * returns the settings in force, for workspace/configuration answers. */
export type ClientFactory = (launch: ServerLaunch, settings: () => Settings) => ClientHandle;

export const RESTRICTED_MESSAGE =
  'kernelwright is disabled in Restricted Mode: it compiles, runs and times kernels built from this ' +
  "workspace's code. Trust the workspace to start its language server.";
export const MANAGE_TRUST_ACTION = 'Manage Workspace Trust';
export const SHOW_LOG_ACTION = 'Show log';

export interface SessionOptions {
  api: VscodeApi;
  createClient: ClientFactory;
  /** The interpreter the Python extension has selected (command + leading args), if any. */
  pythonInterpreter: () => Promise<string[] | undefined>;
  env: Record<string, string | undefined>;
  home: string | undefined;
  /** Called with each client once it runs; returned disposables end with it. */
  onClientStarted: (client: LspClient) => Disposable[];
  onClientStopped: () => void;
}

export class ServerSession implements Disposable {
  private client: ClientHandle | undefined;
  private clientDisposables: Disposable[] = [];
  private readonly disposables: Disposable[] = [];
  private settings: Settings | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private restartQueued = false;
  private readonly trustItem: StatusItem;

  constructor(private readonly o: SessionOptions) {
    this.trustItem = o.api.createStatusItem();
  }

  get running(): LspClient | undefined {
    return this.client;
  }

  /** Starts now if the workspace is trusted, else when trust is granted. */
  async activate(): Promise<void> {
    const { api } = this.o;
    this.disposables.push(api.onDidChangeSettings(() => void this.restart('settings changed')));
    if (api.isTrusted()) {
      await this.start();
      return;
    }
    this.showRestricted();
    this.disposables.push(
      api.onDidGrantWorkspaceTrust(() => {
        this.trustItem.hide();
        void this.start();
      }),
    );
  }

  /** Explains why nothing runs; used by commands while the workspace is untrusted. */
  async explainRestricted(): Promise<void> {
    const choice = await this.o.api.showWarningMessage(RESTRICTED_MESSAGE, MANAGE_TRUST_ACTION);
    if (choice === MANAGE_TRUST_ACTION) await this.o.api.executeCommand('workbench.trust.manage');
  }

  start(): Promise<boolean> {
    return this.serialize(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.serialize(() => this.doStop());
  }

  /** Stops and starts again; calls made while one is waiting fold into it. */
  restart(reason = 'restart requested'): Promise<boolean> {
    if (!this.o.api.isTrusted()) return Promise.resolve(false);
    if (this.restartQueued) return this.queue.then(() => this.client !== undefined);
    this.restartQueued = true;
    return this.serialize(async () => {
      this.restartQueued = false;
      this.o.api.log.info(`Restarting the kernelwright server: ${reason}.`);
      await this.doStop();
      return this.doStart();
    });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.trustItem.dispose();
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private showRestricted(): void {
    this.trustItem.text = '$(shield) kernelwright';
    this.trustItem.tooltip = RESTRICTED_MESSAGE;
    this.trustItem.command = 'workbench.trust.manage';
    this.trustItem.show();
    this.o.api.log.info(RESTRICTED_MESSAGE);
    void this.explainRestricted();
  }

  private async doStart(): Promise<boolean> {
    const { api } = this.o;
    if (!api.isTrusted()) {
      api.log.info('Not starting the server: the workspace is not trusted.');
      return false;
    }
    if (this.client !== undefined) return true;
    const parsed = parseSettings(api.readSettings(), { workspaceFolder: api.workspaceFolderPath(), home: this.o.home });
    this.settings = parsed.settings;
    if (parsed.problems.length > 0) {
      for (const p of parsed.problems) api.log.warn(p);
      void api.showWarningMessage(`kernelwright: ${parsed.problems.join(' ')}`);
    }
    const launch = await resolveLaunch(
      parsed.settings.interpreter,
      this.o.pythonInterpreter,
      api.workspaceFolderPath(),
      this.o.env,
      api.log,
    );
    api.log.info(`Starting ${describeLaunch(launch)} with ${CONFIG_SECTION} options ${JSON.stringify(parsed.settings.server)}`);
    const client = this.o.createClient(launch, () => this.settings ?? parsed.settings);
    try {
      await client.start();
    } catch (err) {
      api.log.error(`The kernelwright server did not start: ${String(err)}`);
      try {
        await client.stop();
      } catch {
        /* it never ran */
      }
      void api.showErrorMessage(`kernelwright: the language server did not start (${String(err)}).`, SHOW_LOG_ACTION).then(
        (choice) => {
          if (choice === SHOW_LOG_ACTION) api.showOutput();
        },
      );
      return false;
    }
    this.client = client;
    this.clientDisposables = this.o.onClientStarted(client);
    return true;
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    this.client = undefined;
    for (const d of this.clientDisposables.splice(0)) d.dispose();
    this.o.onClientStopped();
    try {
      await client.stop();
    } catch (err) {
      this.o.api.log.warn(`Stopping the server: ${String(err)}`);
    }
  }
}
