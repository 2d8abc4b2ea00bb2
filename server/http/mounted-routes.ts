import type { Core } from '../core.js';
import type { Limiters } from '../trpc/context.js';
import { swarmsApiRoutes } from '../rest/swarms-api/routes.js';
import { dashboardRoute } from '../dashboard/dashboard-route.js';
import { legacyRestRoutes } from '../rest/legacy/index.js';
import { handleIpfsGatewayRequest } from '../ipfs/index.js';
import type { RouteHandler } from './route.js';

/**
 * The HTTP faces besides tRPC, tried in order. Each is a thin adapter over domain functions.
 */
export function mountedRoutes(core: Core, limiters: Limiters, bodyLimitBytes: number): RouteHandler[] {
  return [
    (req, res) => handleIpfsGatewayRequest(req, res, core.ipfs),
    swarmsApiRoutes({ core, limiters, bodyLimitBytes }),
    dashboardRoute,
    legacyRestRoutes({ core, limiters, bodyLimitBytes }),
    // more routes: keep one line per face
  ];
}
