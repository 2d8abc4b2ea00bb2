import client from 'prom-client';
import type { Core } from '../core.js';
import { countTodosByStatus } from '../queue/list-todos.js';
import { pathOf, type RouteHandler } from './route.js';

export interface Metrics {
  registry: client.Registry;
  procedureErrors: client.Counter<'path' | 'code'>;
  route: RouteHandler;
}

/** Prometheus metrics: process defaults, tRPC calls by outcome, todos by status at scrape time. */
export function createMetrics(core: () => Core | null): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'swarmtask_' });
  const procedureErrors = new client.Counter({
    name: 'swarmtask_procedure_errors_total',
    help: 'Failed tRPC procedure calls by path and error code',
    labelNames: ['path', 'code'] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: 'swarmtask_todos',
    help: 'Todos by status',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      const current = core();
      if (!current) return;
      this.reset();
      for (const [status, n] of Object.entries(countTodosByStatus(current))) this.set({ status }, n);
    },
  });
  const route: RouteHandler = async (req, res) => {
    if (pathOf(req) !== '/metrics') return false;
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(text);
    return true;
  };
  return { registry, procedureErrors, route };
}
