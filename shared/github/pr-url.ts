/**
 * Pull-request URLs, parsed strictly. A PR URL is what a worker reports and what an auditor
 * checks, so anything that is not exactly `{htmlBase}/{owner}/{name}/pull/{number}` (the form
 * GitHub itself returns in `html_url`) is rejected: no query, no fragment, no trailing path such
 * as `/files`, no credentials, no percent-encoding or `..` tricks, no leading zeros.
 */

/** Where GitHub.com serves its web pages (PR `html_url`s live here). */
export const GITHUB_HTML_BASE_URL = 'https://github.com';
/** GitHub.com's REST API root. */
export const GITHUB_API_BASE_URL = 'https://api.github.com';

/** A user or organization login: alphanumerics and single inner hyphens, at most 39 characters. */
const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** A repository name: letters, digits, `.`, `-`, `_`, at most 100 characters, never `.` or `..`. */
const REPO_RE = /^[A-Za-z0-9._-]{1,100}$/;
const NUMBER_RE = /^[1-9][0-9]{0,9}$/;
const MAX_PR_NUMBER = 2 ** 31 - 1;
const MAX_URL_LENGTH = 2048;

export interface RepoRef {
  owner: string;
  name: string;
}

export interface PullRequestRef extends RepoRef {
  number: number;
}

export type ParsePullRequestUrlResult =
  | ({ ok: true } & PullRequestRef)
  | { ok: false; reason: string };

export function isValidOwner(owner: string): boolean {
  return OWNER_RE.test(owner);
}

export function isValidRepoName(name: string): boolean {
  return REPO_RE.test(name) && name !== '.' && name !== '..';
}

/** GitHub compares logins and repository names without regard to case. */
export function sameGitHubName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The web base URL that belongs to an API base URL: `https://api.github.com` → `https://github.com`;
 * a GitHub Enterprise Server `https://host/api/v3` → `https://host`. Undefined when it cannot be
 * derived (pass `htmlBaseUrl` explicitly then).
 */
export function htmlBaseUrlForApi(apiBaseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (url.host === 'api.github.com' && path === '') return GITHUB_HTML_BASE_URL;
  if (path.endsWith('/api/v3')) return `${url.origin}${path.slice(0, -'/api/v3'.length)}`;
  return undefined;
}

function normalizeBase(htmlBaseUrl: string): URL {
  const base = new URL(htmlBaseUrl);
  if (base.search || base.hash || base.username || base.password) {
    throw new TypeError(`htmlBaseUrl must be a plain origin with an optional path: ${htmlBaseUrl}`);
  }
  return base;
}

/** Builds the canonical URL of a pull request under `htmlBaseUrl` (default https://github.com). */
export function formatPullRequestUrl(ref: PullRequestRef, htmlBaseUrl: string = GITHUB_HTML_BASE_URL): string {
  const base = normalizeBase(htmlBaseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${basePath}/${ref.owner}/${ref.name}/pull/${ref.number}`;
}

/**
 * Parses a PR URL that must be exactly `{htmlBaseUrl}/{owner}/{name}/pull/{number}`
 * (by default `https://github.com/owner/name/pull/N`). Never throws.
 */
export function parsePullRequestUrl(
  input: unknown,
  options: { htmlBaseUrl?: string } = {},
): ParsePullRequestUrlResult {
  const fail = (reason: string): ParsePullRequestUrlResult => ({ ok: false, reason });
  if (typeof input !== 'string') return fail('PR URL is not a string');
  if (input.length === 0) return fail('PR URL is empty');
  if (input.length > MAX_URL_LENGTH) return fail('PR URL is too long');
  if (/[\s\u0000-\u001f\u007f]/.test(input)) return fail('PR URL contains whitespace or control characters');

  let base: URL;
  try {
    base = normalizeBase(options.htmlBaseUrl ?? GITHUB_HTML_BASE_URL);
  } catch (err) {
    return fail(err instanceof Error ? err.message : 'invalid htmlBaseUrl');
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail(`PR URL is not a URL: ${JSON.stringify(input)}`);
  }
  // The URL parser silently normalizes (case, `..`, default ports, backslashes); a strict
  // parser accepts only what is already in canonical form.
  if (url.href !== input) return fail(`PR URL is not in canonical form: ${JSON.stringify(input)}`);
  if (url.username || url.password) return fail('PR URL must not carry credentials');
  if (url.search || input.includes('?')) return fail('PR URL must not have a query');
  if (url.hash || input.includes('#')) return fail('PR URL must not have a fragment');
  if (url.protocol !== base.protocol || url.host !== base.host) {
    return fail(`PR URL must start with ${base.origin}: ${JSON.stringify(input)}`);
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  if (!url.pathname.startsWith(`${basePath}/`)) return fail(`PR URL must start with ${base.origin}${basePath}/`);
  const parts = url.pathname.slice(basePath.length + 1).split('/');
  if (parts.length !== 4 || parts[2] !== 'pull') {
    return fail(`PR URL path must be /{owner}/{repo}/pull/{number}: ${JSON.stringify(input)}`);
  }
  const [owner, name, , num] = parts as [string, string, string, string];
  if (!isValidOwner(owner)) return fail(`PR URL has an invalid owner: ${JSON.stringify(owner)}`);
  if (!isValidRepoName(name)) return fail(`PR URL has an invalid repository name: ${JSON.stringify(name)}`);
  if (!NUMBER_RE.test(num) || Number(num) > MAX_PR_NUMBER) {
    return fail(`PR URL has an invalid pull request number: ${JSON.stringify(num)}`);
  }
  return { ok: true, owner, name, number: Number(num) };
}
