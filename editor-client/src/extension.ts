/** Activation: wires the modules together; all behaviour lives in them. */
import * as os from 'os';
import * as vscode from 'vscode';
import { interceptServerCommand, registerCommands, type CommandContext } from './commands';
import { OUTPUT_CHANNEL_NAME } from './constants';
import { createClientFactory } from './languageClient';
import { activeInterpreter, onDidChangeInterpreter } from './pythonEnv';
import { SearchTracker } from './searchStatus';
import { ServerSession } from './session';
import { createVscodeApi } from './vscodeReal';

let session: ServerSession | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  const api = createVscodeApi(context, channel);

  const tracker = new SearchTracker(api);
  context.subscriptions.push(tracker);

  const commandContext: CommandContext = {
    api,
    client: () => session?.running,
    isTrusted: () => vscode.workspace.isTrusted,
    explainRestricted: () => session!.explainRestricted(),
    restart: () => session!.restart('restart requested'),
    tracker,
  };

  session = new ServerSession({
    api,
    createClient: createClientFactory(api, channel, (command, args) =>
      interceptServerCommand(commandContext, command, args),
    ),
    pythonInterpreter: () => activeInterpreter(vscode.workspace.workspaceFolders?.[0]?.uri),
    env: process.env,
    home: os.homedir(),
    onClientStarted: (client) => tracker.attach(client),
    onClientStopped: () => tracker.serverStopped(),
  });
  context.subscriptions.push(session);

  context.subscriptions.push(...registerCommands(commandContext));

  try {
    context.subscriptions.push(
      await onDidChangeInterpreter(() => {
        const own = vscode.workspace.getConfiguration('kernelwright').get<string[]>('interpreter') ?? [];
        if (own.length === 0) void session?.restart('the Python interpreter changed');
      }),
    );
  } catch (err) {
    channel.warn(`Not following the Python extension's interpreter: ${String(err)}`);
  }

  await session.activate();
}

export async function deactivate(): Promise<void> {
  await session?.stop();
}
