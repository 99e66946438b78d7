// Operating the server: Prometheus metrics at /metrics (requests by route and status, latency
// histograms, upload bytes, analysis queue depth and durations, engines' real-time factors, the job queue's
// depth, age, retries and dead letters), /healthz (the process answers) and /readyz (what this node's role
// needs works: database, object store, job queue, engines).

import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../store/sql.js';
import type { JobCounts } from '../analysis/jobs/types.js';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'earshot_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'earshot_http_request_duration_seconds',
    help: 'HTTP request latency by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly uploadBytes = new Counter({ name: 'earshot_upload_bytes_total', help: 'Bytes received by uploads', registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'earshot_analysis_queue_depth', help: 'Analyses queued or running', registers: [this.registry] });
  readonly analysisSeconds = new Histogram({
    name: 'earshot_analysis_duration_seconds',
    help: 'Wall time of one file analysis',
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  readonly realtimeFactor = new Gauge({
    name: 'earshot_engine_realtime_factor',
    help: 'Seconds of audio analysed per second of wall time, last analysis, by engine set',
    labelNames: ['engines'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'earshot_' });
  }

  /**
   * The job queue, read at each scrape: depth and oldest wait (cluster-wide on PostgreSQL), and this node's
   * counters of completed, retried, handed-on and dead-lettered jobs.
   */
  watchJobs(stats: () => Promise<JobCounts>, counters: () => Record<'completed' | 'retried' | 'deadLettered' | 'handedOn', number>): void {
    let last: Promise<JobCounts | undefined> | undefined;
    // one query per scrape, shared by the gauges below (a failing database reads as no sample, not an error)
    const read = () =>
      (last ??= stats()
        .catch(() => undefined)
        .finally(() => setTimeout(() => (last = undefined), 500).unref()));
    const gauge = (name: string, help: string, pick: (c: JobCounts) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const c = await read();
          if (c) this.set(pick(c));
        },
      });
    gauge('earshot_jobs_waiting', 'Analysis jobs waiting for a worker (queued or waiting to retry)', (c) => c.waiting);
    gauge('earshot_jobs_active', 'Analysis jobs being analysed', (c) => c.active);
    gauge('earshot_jobs_oldest_waiting_seconds', 'Age of the oldest waiting analysis job', (c) => c.oldestWaitingSec);
    gauge('earshot_jobs_failed', 'Analysis jobs dead-lettered (failed after every retry) still on record', (c) => c.failed);
    const counter = (name: string, help: string, key: 'completed' | 'retried' | 'deadLettered' | 'handedOn') =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(counters()[key]);
        },
      });
    counter('earshot_jobs_completed_total', 'Analysis jobs this node completed', 'completed');
    counter('earshot_jobs_retried_total', 'Analysis job attempts that failed on this node and will be retried', 'retried');
    counter('earshot_jobs_handed_on_total', 'Jobs of dead workers this node handed to live ones (lost leases)', 'handedOn');
    counter('earshot_jobs_dead_lettered_total', 'Dead-lettered jobs this node turned into FAILED files', 'deadLettered');
  }

  analysisDone(seconds: number, audioSeconds: number, engines: Record<string, string>): void {
    this.analysisSeconds.observe(seconds);
    if (seconds > 0) this.realtimeFactor.set({ engines: Object.values(engines).join('+') || 'none' }, audioSeconds / seconds);
  }
}

export interface ReadinessCheck {
  /** undefined when ready, else what is not */
  (): Promise<string | undefined>;
}

/** Count and time every request (installed on the root instance, so it sees every route). */
export function observeRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route, method: req.method }, reply.elapsedTime / 1000);
  });
}

export function opsRoutes(metrics: Metrics, db: Db, checks: Record<string, ReadinessCheck>, info: { role?: string } = {}) {
  return async function ops(app: FastifyInstance): Promise<void> {
    app.get('/metrics', async (_req, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) => {
      const problems: Record<string, string> = {};
      try {
        await db.ping();
      } catch (err) {
        problems.storage = (err as Error).message;
      }
      for (const [name, check] of Object.entries(checks)) {
        const p = await check().catch((err: Error) => err.message);
        if (p) problems[name] = p;
      }
      const ready = Object.keys(problems).length === 0;
      reply.code(ready ? 200 : 503);
      const role = info.role ? { role: info.role } : {};
      return ready ? { status: 'ready', ...role } : { status: 'not ready', ...role, problems };
    });
  };
}
