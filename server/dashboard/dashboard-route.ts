import { pathOf, type RouteHandler } from '../http/route.js';
import { DASHBOARD_HTML } from './dashboard-page.js';

export const dashboardRoute: RouteHandler = (req, res) => {
  const path = pathOf(req);
  if (req.method !== 'GET' || (path !== '/' && path !== '/index.html')) return false;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
  });
  res.end(DASHBOARD_HTML);
  return true;
};
