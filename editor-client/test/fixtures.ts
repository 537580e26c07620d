import type { Candidate } from '../src/protocol';

export const CANDIDATES: Candidate[] = [
  {
    id: 'r1/n0002', rank: 2, title: 'Apply candidate #2 — 1.3× vs eager · compute-bound · 41% of peak FP32',
    speedupVsEager: 1.3, speedupVsCompile: 0.9, bottleneck: 'compute-bound', peakPercent: 41.4, outcome: 'ok', jobId: 'j1',
  },
  {
    id: 'r1/n0001', rank: 1, title: 'Apply candidate #1 — 2.4× vs eager · memory-bound · 86% of peak DRAM BW',
    speedupVsEager: 2.4, speedupVsCompile: 1.12, bottleneck: 'memory-bound', peakPercent: 85.7, outcome: 'ok', jobId: 'j1',
  },
  {
    id: 'r1/n0003', rank: 3, title: 'Apply candidate #3 — correct on CPU',
    speedupVsEager: null, speedupVsCompile: null, bottleneck: null, peakPercent: null, outcome: 'ok', jobId: 'j1',
  },
];
