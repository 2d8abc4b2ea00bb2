import client from 'prom-client';
import type { WorkerEvent } from './events.js';
import type { WorkerHealth } from './status-server.js';

export interface WorkerMetrics {
  /** Counts an event as it happened (before repeated errors are held back from the screen). */
  observe(event: WorkerEvent): void;
  contentType: string;
  text(): Promise<string>;
}

/**
 * Prometheus metrics for a node runner, served on the worker's status port: what the worker did
 * (its events, by type), errors by stage, tokens its swarms used, and its health as gauges. A
 * registry of its own, so several workers in one process do not collide.
 */
export function createWorkerMetrics(health: () => WorkerHealth): WorkerMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'swarmtask_worker_' });
  /** A counter with one label, in this worker's registry. */
  const counter = <Label extends string>(name: string, help: string, label: Label) =>
    new client.Counter<Label>({ name, help, labelNames: [label], registers: [registry] });
  const events = counter('swarmtask_worker_events_total', 'Worker events by type (claimed, ran, submitted, audited, voted, failed, lease_lost, …)', 'type');
  const errors = counter(
    'swarmtask_worker_errors_total',
    'Errors by stage (claim, run, submit, audit, …), each one counted even when the screen holds repeats back',
    'stage',
  );
  const tokens = counter('swarmtask_worker_tokens_total', "Tokens the worker's swarm runs used, by direction", 'direction');
  const runSeconds = new client.Histogram({
    name: 'swarmtask_worker_swarm_run_seconds',
    help: 'How long each swarm run took',
    buckets: [0.1, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: (h: WorkerHealth) => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(health()));
      },
    });
  gauge('swarmtask_worker_connected', '1 while the coordinator accepts the connection', (h) => (h.connected ? 1 : 0));
  gauge('swarmtask_worker_leases_held', 'Todos this worker holds a lease on', (h) => h.leasesHeld);
  gauge('swarmtask_worker_pending_submissions', 'Submissions in the outbox, not yet accepted by the coordinator', (h) => h.pendingSubmissions);
  gauge('swarmtask_worker_awaiting_stake', '1 while the staking key is below the minimum stake', (h) => (h.awaitingStake ? 1 : 0));
  gauge('swarmtask_worker_claims_paused', "1 while the coordinator's operator has paused claims", (h) => (h.claimsPausedSince === null ? 0 : 1));
  gauge('swarmtask_worker_spend_paused', "1 while this node takes no new work because it reached its spending limit per day", (h) => (h.spendPausedUntil === null ? 0 : 1));
  gauge('swarmtask_worker_claims_held', '1 while the coordinator asked this node to hold its claims (Retry-After of a refused claim), else 0', (h) => (h.claimsHeldUntil === null ? 0 : 1));
  // Zero from the start, so rates and alerts work before the first one happens.
  for (const type of ['claimed', 'ran', 'submitted', 'failed', 'lease_lost', 'audited', 'voted'] as const) events.inc({ type }, 0);

  return {
    observe(event) {
      events.inc({ type: event.type });
      if (event.type === 'error') errors.inc({ stage: event.stage });
      if (event.type === 'ran') {
        tokens.inc({ direction: 'input' }, event.inputTokens);
        tokens.inc({ direction: 'output' }, event.outputTokens);
        runSeconds.observe(event.seconds);
      }
    },
    contentType: registry.contentType,
    text: () => registry.metrics(),
  };
}
