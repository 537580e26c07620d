/**
 * Builds the vscode-languageclient client for one `kernelwright serve`
 * process: settings as initializationOptions and as the answer to
 * workspace/configuration, the server log in the output channel, and
 * work-done progress as cancellable notifications.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions as LcServerOptions,
  type StaticFeature,
  type FeatureState,
  type ClientCapabilities,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
  TransportKind,
} from 'vscode-languageclient/node';
// The client's built-in progress UI (status bar, no Cancel button) is replaced below.
import { ProgressFeature } from 'vscode-languageclient/lib/common/progress';
import { CONFIG_SECTION, EXTENSION_NAME } from './constants';
import { NotificationProgress } from './progress';
import type { ServerLaunch } from './serverLaunch';
import type { ClientFactory, ClientHandle } from './session';
import { answerConfiguration, initializationOptions, type Settings } from './settings';
import type { VscodeApi } from './vscodeApi';

class KernelwrightLanguageClient extends LanguageClient {
  public override registerFeature(feature: Parameters<LanguageClient['registerFeature']>[0]): void {
    if (feature instanceof ProgressFeature) return;
    super.registerFeature(feature);
  }
}

class NotificationProgressFeature implements StaticFeature {
  constructor(
    private readonly client: LanguageClient,
    private readonly ui: NotificationProgress,
  ) {}
  getState(): FeatureState {
    return { kind: 'static' };
  }
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.window = { ...(capabilities.window ?? {}), workDoneProgress: true };
  }
  initialize(): void {
    this.client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      this.ui.create(token, (handler) =>
        this.client.onProgress(WorkDoneProgress.type, token, (value) => handler(value)),
      );
    });
  }
  clear(): void {
    this.ui.clear();
  }
}

/**
 * `interceptCommand` may take over a server command the language client is
 * about to send (it returns true when it did).
 */
export function createClientFactory(
  api: VscodeApi,
  outputChannel: vscode.LogOutputChannel,
  interceptCommand: (command: string, args: unknown[]) => boolean,
): ClientFactory {
  return (launch: ServerLaunch, settings: () => Settings): ClientHandle => {
    const serverOptions: LcServerOptions = {
      command: launch.command,
      args: launch.args,
      options: { cwd: launch.cwd, env: launch.env },
      transport: TransportKind.stdio,
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
      ],
      outputChannel,
      initializationOptions: initializationOptions(settings()),
      middleware: {
        // `next` is typed `any` by the client library: what it returns is passed on untouched.
        executeCommand: (command, args, next): Promise<unknown> =>
          interceptCommand(command, args)
            ? Promise.resolve(undefined)
            : Promise.resolve(next(command, args) as unknown),
        workspace: {
          configuration: async (params, token, next) => {
            const { answers, delegate } = answerConfiguration(params.items, settings());
            if (delegate.length > 0) {
              const rest = await next({ items: delegate.map((i) => params.items[i]) }, token);
              if (Array.isArray(rest)) {
                delegate.forEach((at, j) => {
                  answers[at] = rest[j] as unknown;
                });
              }
            }
            return answers;
          },
        },
      },
    };
    const client = new KernelwrightLanguageClient(CONFIG_SECTION, EXTENSION_NAME, serverOptions, clientOptions);
    const progress = new NotificationProgress(api, (method, params) => client.sendNotification(method, params));
    client.registerFeature(new NotificationProgressFeature(client, progress));
    return {
      start: () => client.start(),
      stop: async () => {
        progress.clear();
        await client.dispose(3000);
      },
      sendRequest: <R>(method: string, params: unknown) => client.sendRequest<R>(method, params),
      sendNotification: (method: string, params: unknown) => client.sendNotification(method, params),
      onNotification: (method: string, handler: (params: unknown) => void) => client.onNotification(method, handler),
    };
  };
}
