/**
 * Tracks the server's searches from the kernelwright/search* notifications
 * and shows the running one, with its best speedup so far, in the status bar.
 */
import {
  CLIENT_CMD_CANCEL_SEARCH,
  CLIENT_CMD_SHOW_CANDIDATES,
  CLIENT_CMD_SHOW_LOG,
  NOTIFY_SEARCH_FINISHED,
  NOTIFY_SEARCH_PROGRESS,
  NOTIFY_SEARCH_STARTED,
} from './constants';
import { formatSeconds, formatSpeedup, plural, sameUri, uriBasename } from './format';
import {
  readPayload,
  SEARCH_FINISHED_SCHEMA,
  SEARCH_PROGRESS_SCHEMA,
  SEARCH_STARTED_SCHEMA,
  type JobId,
  type Range,
  type SearchFinished,
  type SearchFinishedStatus,
  type SearchProgress,
  type SearchStarted,
} from './protocol';
import type { Disposable, LspClient, StatusItem, VscodeApi } from './vscodeApi';

export interface Job {
  jobId: JobId;
  uri: string;
  range: Range | undefined;
  title: string;
  evaluated: number;
  failed: number;
  budget: number | undefined;
  bestSpeedup: number | null;
  timeLeftS: number | null;
  message: string;
  status: 'running' | SearchFinishedStatus;
  candidates: number | undefined;
}

const key = (id: JobId) => String(id);

export class SearchTracker implements Disposable {
  private readonly jobs = new Map<string, Job>();
  private order: string[] = []; // most recently updated last
  private readonly item: StatusItem;

  constructor(private readonly api: VscodeApi) {
    this.item = api.createStatusItem();
    this.render();
  }

  attach(client: LspClient): Disposable[] {
    return [
      client.onNotification(NOTIFY_SEARCH_STARTED, (p) => this.receive(NOTIFY_SEARCH_STARTED, p)),
      client.onNotification(NOTIFY_SEARCH_PROGRESS, (p) => this.receive(NOTIFY_SEARCH_PROGRESS, p)),
      client.onNotification(NOTIFY_SEARCH_FINISHED, (p) => this.receive(NOTIFY_SEARCH_FINISHED, p)),
    ];
  }

  running(): Job[] {
    return this.order.map((k) => this.jobs.get(k)!).filter((j) => j.status === 'running');
  }

  job(jobId: JobId): Job | undefined {
    return this.jobs.get(key(jobId));
  }

  /** The range the latest search of `uri` (or the given job) was started on. */
  rangeFor(uri: string, jobId?: JobId): Range | undefined {
    if (jobId !== undefined) {
      const j = this.jobs.get(key(jobId));
      if (j?.range !== undefined && sameUri(j.uri, uri)) return j.range;
    }
    for (let i = this.order.length - 1; i >= 0; i--) {
      const j = this.jobs.get(this.order[i])!;
      if (sameUri(j.uri, uri) && j.range !== undefined) return j.range;
    }
    return undefined;
  }

  /** The server went away: running searches died with it. */
  serverStopped(): void {
    this.jobs.clear();
    this.order = [];
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  receive(method: string, raw: unknown): void {
    const schema =
      method === NOTIFY_SEARCH_STARTED
        ? SEARCH_STARTED_SCHEMA
        : method === NOTIFY_SEARCH_PROGRESS
          ? SEARCH_PROGRESS_SCHEMA
          : SEARCH_FINISHED_SCHEMA;
    const read = readPayload<unknown>(raw, schema as never);
    if ('error' in read) {
      this.api.log.warn(`Ignored ${method}: ${read.error}`);
      return;
    }
    if (method === NOTIFY_SEARCH_STARTED) this.started(read.value as SearchStarted);
    else if (method === NOTIFY_SEARCH_PROGRESS) this.progress(read.value as SearchProgress);
    else this.finished(read.value as SearchFinished);
    this.render();
  }

  private touch(job: Job): void {
    const k = key(job.jobId);
    this.jobs.set(k, job);
    this.order = this.order.filter((o) => o !== k).concat(k);
  }

  private started(p: SearchStarted): void {
    this.touch({
      jobId: p.jobId,
      uri: p.uri,
      range: p.range,
      title: p.title,
      evaluated: 0,
      failed: 0,
      budget: undefined,
      bestSpeedup: null,
      timeLeftS: null,
      message: '',
      status: 'running',
      candidates: undefined,
    });
  }

  private progress(p: SearchProgress): void {
    const job = this.jobs.get(key(p.jobId));
    if (job === undefined || job.status !== 'running') return; // late progress after finish
    Object.assign(job, {
      evaluated: p.evaluated,
      failed: p.failed,
      budget: p.budget,
      bestSpeedup: p.bestSpeedup,
      timeLeftS: p.timeLeftS,
      message: p.message,
    });
    this.touch(job);
  }

  private finished(p: SearchFinished): void {
    const job: Job = this.jobs.get(key(p.jobId)) ?? {
      jobId: p.jobId,
      uri: p.uri,
      range: undefined,
      title: uriBasename(p.uri),
      evaluated: 0,
      failed: 0,
      budget: undefined,
      bestSpeedup: null,
      timeLeftS: null,
      message: '',
      status: 'running',
      candidates: undefined,
    };
    Object.assign(job, { status: p.status, bestSpeedup: p.bestSpeedup, message: p.message, candidates: p.candidates });
    // No pop-up here: the server itself shows the outcome (window/showMessage).
    this.touch(job);
  }

  private render(): void {
    const running = this.running();
    if (running.length > 0) {
      const j = running[running.length - 1];
      const best = formatSpeedup(j.bestSpeedup);
      const count = j.budget !== undefined ? `${j.evaluated}/${j.budget}` : 'starting';
      const more = running.length > 1 ? ` (+${running.length - 1} more)` : '';
      this.item.text = `$(loading~spin) kernelwright ${count}${best !== undefined ? ` · best ${best}` : ''}${more}`;
      const left = formatSeconds(j.timeLeftS);
      this.item.tooltip = [
        `Searching: ${j.title}`,
        j.message,
        `${j.evaluated} evaluated, ${j.failed} failed${left !== undefined ? `, ${left} left` : ''}`,
        best !== undefined ? `Best so far: ${best} vs eager` : 'No measured speedup yet',
        'Click to cancel.',
      ]
        .filter((l) => l !== '')
        .join('\n');
      this.item.command = CLIENT_CMD_CANCEL_SEARCH;
      this.item.show();
      return;
    }
    const last = this.order.length > 0 ? this.jobs.get(this.order[this.order.length - 1]) : undefined;
    if (last === undefined) {
      this.item.hide();
      return;
    }
    const best = formatSpeedup(last.bestSpeedup);
    if (last.status === 'done') {
      this.item.text = `$(check) kernelwright: ${plural(last.candidates ?? 0, 'candidate')}${best !== undefined ? ` · best ${best}` : ''}`;
      this.item.tooltip = `${last.title}\n${last.message}\nClick to show the candidates.`.replace(/\n\n/g, '\n');
      this.item.command = CLIENT_CMD_SHOW_CANDIDATES;
    } else if (last.status === 'cancelled') {
      this.item.text = `$(circle-slash) kernelwright: search cancelled`;
      this.item.tooltip = last.message || undefined;
      this.item.command = CLIENT_CMD_SHOW_CANDIDATES;
    } else {
      this.item.text = `$(error) kernelwright: search failed`;
      this.item.tooltip = last.message || undefined;
      this.item.command = CLIENT_CMD_SHOW_LOG;
    }
    this.item.show();
  }
}
