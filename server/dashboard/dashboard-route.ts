import { createHash } from 'node:crypto';
import { pathOf, type RouteHandler } from '../http/route.js';
import { DASHBOARD_HTML } from './dashboard-page.js';

/**
 * Only the page's own inline script may run (by its hash, not 'unsafe-inline'), it may talk only
 * to this server, and no other site may frame it: the page holds an operator's API key.
 */
function contentSecurityPolicy(html: string): string {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (script === undefined) throw new Error('dashboard page has no inline script');
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  return `default-src 'self'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
}

const CSP = contentSecurityPolicy(DASHBOARD_HTML);

export const dashboardRoute: RouteHandler = (req, res) => {
  const path = pathOf(req);
  if (req.method !== 'GET') return false;
  if (path === '/favicon.ico') {
    // Browsers ask for it with every page; "no icon" is an answer, a 404 is an error in their console.
    res.writeHead(204, { 'cache-control': 'max-age=86400' });
    res.end();
    return true;
  }
  if (path !== '/' && path !== '/index.html') return false;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(DASHBOARD_HTML);
  return true;
};
