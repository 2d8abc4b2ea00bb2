import type { RouteHandler } from './route.js';
import { pathOf, sendJson } from './route.js';

export interface Readiness {
  ready: boolean;
  reason: string;
}

/** `/healthz/` and `/health` answer while the process lives; `/readyz` only once migrations ran. */
export function healthRoutes(readiness: Readiness, info: () => Record<string, unknown>): RouteHandler {
  return (req, res) => {
    const path = pathOf(req);
    if (path === '/healthz' || path === '/healthz/' || path === '/health') {
      sendJson(res, 200, { status: 'ok', ...info() });
      return true;
    }
    if (path === '/readyz') {
      if (readiness.ready) sendJson(res, 200, { status: 'ready' });
      else sendJson(res, 503, { status: 'starting', reason: readiness.reason });
      return true;
    }
    return false;
  };
}
