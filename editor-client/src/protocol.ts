/**
 * Payloads of kernelwright's custom notifications and request, as documented
 * in the comments of `server/names.py`. The field lists below are what the
 * contract test compares with those comments; the compile-time checks tie
 * them to the interfaces the rest of the extension uses.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type JobId = string | number;

export interface SearchStarted {
  jobId: JobId;
  uri: string;
  range: Range;
  title: string;
}

export interface SearchProgress {
  jobId: JobId;
  evaluated: number;
  failed: number;
  budget: number;
  bestSpeedup: number | null;
  timeLeftS: number | null;
  message: string;
}

export const SEARCH_FINISHED_STATUSES = ['done', 'cancelled', 'failed'] as const;
export type SearchFinishedStatus = (typeof SEARCH_FINISHED_STATUSES)[number];

export interface SearchFinished {
  jobId: JobId;
  uri: string;
  status: SearchFinishedStatus;
  candidates: number;
  bestSpeedup: number | null;
  message: string;
}

export interface CandidatesParams {
  uri: string;
}

export interface Candidate {
  /** Names the candidate for good (its store id); rank and title change with each search. */
  id: string;
  rank: number;
  title: string;
  speedupVsEager: number | null;
  speedupVsCompile: number | null;
  bottleneck: string | null;
  peakPercent: number | null;
  outcome: string;
  jobId: JobId;
}

export interface CandidatesResult {
  candidates: Candidate[];
}

/** The `data` of an "Apply candidate" code action: the extension finds the action by `candidateId`. */
export interface ApplyData {
  tag: string;
  candidateId: string;
  rank: number;
  uri: string;
  version: number;
  signature: string;
  start: number;
  end: number;
}

export interface PayloadSchema<T> {
  fields: readonly (keyof T & string)[];
  nullable: readonly (keyof T & string)[];
}

// "Every key of T is listed" — fails to compile when an interface gains a
// field the list (and so the contract test) does not know about.
type Exhaustive<T, L extends readonly string[]> = Exclude<keyof T, L[number]> extends never ? L : never;
function schema<T>() {
  return <F extends readonly (keyof T & string)[], N extends readonly (keyof T & string)[]>(
    fields: Exhaustive<T, F>,
    nullable: N,
  ): PayloadSchema<T> => ({ fields, nullable });
}

export const SEARCH_STARTED_SCHEMA = schema<SearchStarted>()(['jobId', 'uri', 'range', 'title'] as const, [] as const);
export const SEARCH_PROGRESS_SCHEMA = schema<SearchProgress>()(
  ['jobId', 'evaluated', 'failed', 'budget', 'bestSpeedup', 'timeLeftS', 'message'] as const,
  ['bestSpeedup', 'timeLeftS'] as const,
);
export const SEARCH_FINISHED_SCHEMA = schema<SearchFinished>()(
  ['jobId', 'uri', 'status', 'candidates', 'bestSpeedup', 'message'] as const,
  ['bestSpeedup'] as const,
);
export const CANDIDATES_PARAMS_SCHEMA = schema<CandidatesParams>()(['uri'] as const, [] as const);
export const CANDIDATES_RESULT_SCHEMA = schema<CandidatesResult>()(['candidates'] as const, [] as const);
export const CANDIDATE_SCHEMA = schema<Candidate>()(
  ['id', 'rank', 'title', 'speedupVsEager', 'speedupVsCompile', 'bottleneck', 'peakPercent', 'outcome', 'jobId'] as const,
  ['speedupVsEager', 'speedupVsCompile', 'bottleneck', 'peakPercent'] as const,
);

export const APPLY_DATA_SCHEMA = schema<ApplyData>()(
  ['tag', 'candidateId', 'rank', 'uri', 'version', 'signature', 'start', 'end'] as const,
  [] as const,
);

/**
 * Reads a payload from the wire: every documented field must be present
 * (nullable ones may be null). Returns the reason when it is not, so a server
 * that drifts from names.py shows up in the log instead of as `undefined`s.
 */
export function readPayload<T>(raw: unknown, s: PayloadSchema<T>): { value: T } | { error: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { error: 'payload is not an object' };
  }
  const obj = raw as Record<string, unknown>;
  const missing = s.fields.filter((f) => obj[f] === undefined || (obj[f] === null && !s.nullable.includes(f)));
  if (missing.length > 0) {
    return { error: `missing field(s): ${missing.join(', ')}` };
  }
  return { value: obj as T };
}

export function readCandidates(raw: unknown): { value: Candidate[] } | { error: string } {
  const result = readPayload(raw, CANDIDATES_RESULT_SCHEMA);
  if ('error' in result) return result;
  if (!Array.isArray(result.value.candidates)) return { error: 'candidates is not a list' };
  const out: Candidate[] = [];
  for (const [i, item] of result.value.candidates.entries()) {
    const c = readPayload(item, CANDIDATE_SCHEMA);
    if ('error' in c) return { error: `candidate ${i}: ${c.error}` };
    out.push(c.value);
  }
  return { value: out };
}

/**
 * Arguments of the server's executeCommand commands. names.py documents no
 * argument shape, so the extension sends one object whose field names match
 * the notification payloads (`uri`, `range`, `jobId`).
 */
export interface OptimizeArgs {
  uri: string;
  range: Range;
}
export type ProfileArgs = OptimizeArgs;
export interface CancelArgs {
  jobId: JobId;
}
