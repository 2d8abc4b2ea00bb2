import type { Core } from '../core.js';
import { handleIpfsGatewayRequest } from '../ipfs/index.js';
import type { RouteHandler } from './route.js';

/**
 * The HTTP faces besides tRPC, tried in order. Each is a thin adapter over domain functions.
 */
export function mountedRoutes(core: Core): RouteHandler[] {
  return [
    (req, res) => handleIpfsGatewayRequest(req, res, core.ipfs),
    // more routes: keep one line per face
  ];
}
