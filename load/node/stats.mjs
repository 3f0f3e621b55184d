// Samples of one load run, grouped by scenario and request kind, and their
// summary. Latencies are kept whole (a 60 s run holds a few hundred thousand
// numbers at most) so percentiles are exact rather than bucketed.

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summarise(values) {
  const sorted = Float64Array.from(values).sort();
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

export class Recorder {
  constructor() {
    /** scenario → kind → { latency: number[], ttft: number[] } */
    this.samples = new Map();
    /** scenario → "kind: reason" → count */
    this.errors = new Map();
    this.startedAt = performance.now();
    this.stoppedAt = undefined;
  }

  #kind(scenario, kind) {
    if (!this.samples.has(scenario)) this.samples.set(scenario, new Map());
    const kinds = this.samples.get(scenario);
    if (!kinds.has(kind)) kinds.set(kind, { latency: [], ttft: [] });
    return kinds.get(kind);
  }

  ok(scenario, kind, latencyMs, ttftMs) {
    const k = this.#kind(scenario, kind);
    k.latency.push(latencyMs);
    if (ttftMs !== undefined) k.ttft.push(ttftMs);
  }

  fail(scenario, kind, reason) {
    if (!this.errors.has(scenario)) this.errors.set(scenario, new Map());
    const byKind = this.errors.get(scenario);
    const key = `${kind}: ${String(reason).slice(0, 120)}`;
    byKind.set(key, (byKind.get(key) ?? 0) + 1);
  }

  /**
   * Times `run`, recording its latency (and the ttft it returns, if any) or
   * its error; `parts` it returns ({ name: ms }) are recorded as kinds of their own.
   */
  async time(scenario, kind, run) {
    const t0 = performance.now();
    try {
      const result = await run();
      this.ok(scenario, kind, performance.now() - t0, result?.ttft);
      for (const [name, ms] of Object.entries(result?.parts ?? {})) this.ok(scenario, `  ${name}`, ms);
      return result;
    } catch (error) {
      this.fail(scenario, kind, error?.message ?? error);
      return undefined;
    }
  }

  /** Every latency of a scenario, all kinds together. */
  latencies(scenario) {
    return [...(this.samples.get(scenario) ?? new Map())].filter(([kind]) => !kind.startsWith(' ')).flatMap(([, k]) => k.latency);
  }

  stop() {
    this.stoppedAt ??= performance.now();
  }

  get seconds() {
    return ((this.stoppedAt ?? performance.now()) - this.startedAt) / 1000;
  }

  errorCount(scenario) {
    return [...(this.errors.get(scenario)?.values() ?? [])].reduce((a, b) => a + b, 0);
  }

  /** Per scenario: request count, errors, and per kind the latency and TTFT summaries. */
  report() {
    const scenarios = new Set([...this.samples.keys(), ...this.errors.keys()]);
    return [...scenarios].map((scenario) => {
      const kinds = [...(this.samples.get(scenario) ?? new Map())].map(([kind, k]) => ({ kind, latency: summarise(k.latency), ttft: k.ttft.length ? summarise(k.ttft) : undefined }));
      // Parts of a request (indented kinds) are not requests of their own.
      const requests = kinds.filter((k) => !k.kind.startsWith(' ')).reduce((a, k) => a + k.latency.n, 0);
      const errors = this.errorCount(scenario);
      return { scenario, requests, errors, rps: (requests + errors) / this.seconds, kinds, errorsByKind: [...(this.errors.get(scenario) ?? new Map())] };
    });
  }
}

const f = (x, width = 7) => (Number.isFinite(x) ? x.toFixed(1) : '-').padStart(width);

export function printReport(title, recorder) {
  console.log(`\n${title} (${recorder.seconds.toFixed(1)} s)`);
  for (const s of recorder.report()) {
    console.log(`\n  ${s.scenario}: ${(s.requests + s.errors)} requests, ${s.rps.toFixed(1)} req/s, ${s.errors} errors (${(((s.errors / Math.max(1, s.requests + s.errors)) * 100)).toFixed(2)}%)`);
    console.log(`    ${'kind'.padEnd(34)} ${'n'.padStart(6)}  latency ms p50     p95     p99     max | TTFT ms p50    p95     p99`);
    for (const k of s.kinds) {
      const t = k.ttft;
      console.log(`    ${k.kind.padEnd(34)} ${String(k.latency.n).padStart(6)}  ${f(k.latency.p50, 14)} ${f(k.latency.p95)} ${f(k.latency.p99)} ${f(k.latency.max)} | ${t ? `${f(t.p50, 10)} ${f(t.p95)} ${f(t.p99)}` : ''}`);
    }
    for (const [reason, count] of s.errorsByKind) console.log(`    error ×${count}  ${reason}`);
  }
}
