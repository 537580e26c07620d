/** The ranked candidates of a document (kernelwright/candidates) as QuickPick items. */
import { REQUEST_CANDIDATES } from './constants';
import { formatPercent, formatSpeedup, uriBasename } from './format';
import { readCandidates, type Candidate, type CandidatesParams, type Range } from './protocol';
import type { LspClient, PickItem, VscodeApi } from './vscodeApi';

export function candidateItem(c: Candidate): PickItem<Candidate> {
  const eager = formatSpeedup(c.speedupVsEager);
  const compile = formatSpeedup(c.speedupVsCompile);
  const peak = formatPercent(c.peakPercent);
  const label = `#${c.rank}  ${eager !== undefined ? `${eager} vs eager` : 'speed not measured'}`;
  const description = [c.bottleneck ?? undefined, peak !== undefined ? `${peak} of peak` : undefined]
    .filter((s): s is string => s !== undefined)
    .join(' · ');
  const detail = [
    c.title,
    compile !== undefined ? `${compile} vs torch.compile` : undefined,
    c.outcome !== 'ok' ? `outcome: ${c.outcome}` : undefined,
  ]
    .filter((s): s is string => s !== undefined && s !== '')
    .join(' · ');
  return { label, description, detail, value: c };
}

export function candidateItems(candidates: Candidate[]): PickItem<Candidate>[] {
  return [...candidates].sort((a, b) => a.rank - b.rank).map(candidateItem);
}

/** `range` (optional, accepted by the server) keeps the candidates of the target at it. */
export async function fetchCandidates(client: LspClient, uri: string, range?: Range): Promise<Candidate[]> {
  const params: CandidatesParams & { range?: Range } = range === undefined ? { uri } : { uri, range };
  const raw = await client.sendRequest(REQUEST_CANDIDATES, params);
  const read = readCandidates(raw);
  if ('error' in read) throw new Error(`unexpected ${REQUEST_CANDIDATES} result: ${read.error}`);
  return read.value;
}

/** Shows the picker; undefined when there is nothing to pick or the user dismissed it. */
export async function pickCandidate(
  api: VscodeApi,
  client: LspClient,
  uri: string,
  range?: Range,
): Promise<Candidate | undefined> {
  const candidates = await fetchCandidates(client, uri, range);
  if (candidates.length === 0) {
    await api.showInformationMessage(
      `kernelwright: no candidates for ${uriBasename(uri)} yet — run "Optimize this kernel" first.`,
    );
    return undefined;
  }
  const picked = await api.showQuickPick(candidateItems(candidates), {
    title: `kernelwright candidates for ${uriBasename(uri)}`,
    placeHolder: 'Pick a candidate to preview its diff and apply it',
  });
  return picked?.value;
}
