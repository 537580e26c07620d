/** The interpreter selected in the Python extension (ms-python.python), through its published API. */
import { PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { PYTHON_EXTENSION_ID } from './constants';

export async function activeInterpreter(resource?: vscode.Uri): Promise<string[] | undefined> {
  if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID) === undefined) return undefined;
  const api = await PythonExtension.api();
  const path = api.environments.getActiveEnvironmentPath(resource);
  const env = await api.environments.resolveEnvironment(path);
  const exe = env?.executable.uri?.fsPath;
  return exe !== undefined ? [exe] : undefined;
}

/** Fires when the user picks another interpreter; nothing when the Python extension is absent. */
export async function onDidChangeInterpreter(listener: () => void): Promise<vscode.Disposable> {
  if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID) === undefined) return new vscode.Disposable(() => undefined);
  const api = await PythonExtension.api();
  return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
}
