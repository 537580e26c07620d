/**
 * Reads the LSP names and the documented payload fields from the Python
 * server's `kernelwright.server.names` (constants via the interpreter, payload
 * fields from its comments).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const PYTHON = process.env.KERNELWRIGHT_PYTHON || 'python3';

const DUMP_NAMES =
  'import json, kernelwright.server.names as n; print(json.dumps({k: getattr(n,k) for k in dir(n) if k.isupper()}))';

function python(code: string): string {
  try {
    return execFileSync(PYTHON, ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(
      `${PYTHON} could not import kernelwright.server.names (set KERNELWRIGHT_PYTHON to an interpreter ` +
        `where kernelwright is installed): ${stderr.trim() || String(err)}`,
    );
  }
}

export function pythonNames(): Record<string, unknown> {
  return JSON.parse(python(DUMP_NAMES)) as Record<string, unknown>;
}

export function namesPySource(): string {
  const file = python('import kernelwright.server.names as n; print(n.__file__)').trim();
  return readFileSync(file, 'utf8');
}

export interface DocField {
  name: string;
  nullable: boolean;
  literals: string[];
  /** Fields of the objects in a list-valued field (`[{...}]`). */
  items?: DocField[];
}

/** `{a, b|null, status: "x"|"y", n: int, list: [{c, d}]}` → fields. */
export function parseObject(body: string): DocField[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if ('{['.includes(ch)) depth++;
    if ('}]'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map((raw) => {
    const part = raw.trim();
    const name = /^[A-Za-z_]\w*/.exec(part)?.[0];
    if (name === undefined) throw new Error(`cannot read a field name from ${JSON.stringify(part)}`);
    const rest = part.slice(name.length);
    const nested = /\[\s*\{([\s\S]*)\}\s*\]/.exec(rest);
    const field: DocField = {
      name,
      nullable: /\|\s*null\b/.test(nested ? rest.replace(nested[0], '') : rest),
      literals: nested ? [] : [...rest.matchAll(/"([^"]*)"/g)].map((m) => m[1]),
    };
    if (nested) field.items = parseObject(nested[1]);
    return field;
  });
}

/** Every `name: {…}` / `name {…}` object documented in the comments of names.py. */
export function documentedPayloads(source: string): Map<string, DocField[]> {
  const comments = source
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('#'))
    .map((l) => l.replace(/^#\s?/, ''))
    .join('\n');
  const found = new Map<string, DocField[]>();
  const head = /([A-Za-z_]\w*)\s*:?\s*\{/g;
  let m: RegExpExecArray | null;
  while ((m = head.exec(comments)) !== null) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < comments.length; i++) {
      if (comments[i] === '{') depth++;
      if (comments[i] === '}' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) throw new Error(`unbalanced braces after ${m[1]} in names.py comments`);
    if (found.has(m[1])) throw new Error(`${m[1]} documented twice in names.py`);
    found.set(m[1], parseObject(comments.slice(open + 1, close)));
    head.lastIndex = close + 1;
  }
  return found;
}

/** The server's settings (server/config.py): camelCase key → default value. */
export function serverSettingDefaults(): Record<string, unknown> {
  const code =
    'import json; from kernelwright.server import config as c; s = c.Settings(); ' +
    'print(json.dumps({k: getattr(s, v) for k, v in c._CAMEL.items()}))';
  return JSON.parse(python(code)) as Record<string, unknown>;
}
