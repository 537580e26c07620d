import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTextEdits, wholeDocumentRange } from '../src/applyEdits';

const r = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

test('several edits apply against the original positions', () => {
  const text = 'import torch\n\ny = torch.relu(x)\n';
  const out = applyTextEdits(text, [
    { range: r(2, 4, 2, 14), newText: 'fused_relu' },
    { range: r(0, 12, 0, 12), newText: '\nfrom kernels import fused_relu' },
  ]);
  assert.equal(out, 'import torch\nfrom kernels import fused_relu\n\ny = fused_relu(x)\n');
});

test('CRLF line ends and UTF-16 columns (astral characters count twice)', () => {
  const text = 'a = "😀"; b = 1\r\nc = 2\r\n';
  // "😀" is two UTF-16 code units: `b` sits at character 10.
  assert.equal(applyTextEdits(text, [{ range: r(0, 10, 0, 11), newText: 'B' }]), 'a = "😀"; B = 1\r\nc = 2\r\n');
  // A column past the end of a line stops before its line break.
  assert.equal(applyTextEdits(text, [{ range: r(1, 99, 1, 99), newText: '  # x' }]), 'a = "😀"; b = 1\r\nc = 2  # x\r\n');
});

test('overlapping edits are refused, not merged', () => {
  assert.throws(() => applyTextEdits('abcdef', [
    { range: r(0, 0, 0, 3), newText: 'x' },
    { range: r(0, 2, 0, 4), newText: 'y' },
  ]), /overlapping/);
});

test('the whole-document range ends at the last character', () => {
  assert.deepEqual(wholeDocumentRange('ab\ncd'), r(0, 0, 1, 2));
  assert.deepEqual(wholeDocumentRange('ab\n'), r(0, 0, 1, 0));
});
