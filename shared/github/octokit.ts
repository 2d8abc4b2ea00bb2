import { Octokit } from '@octokit/rest';
import { GITHUB_API_BASE_URL } from './pr-url.js';

/**
 * How GitHub code gets its client: either a ready `Octokit` (tests, callers that add plugins) or
 * a token plus an optional API base URL (GitHub Enterprise Server, or a local test server).
 */
export type GitHubConnection =
  | { octokit: Octokit; token?: undefined; baseUrl?: undefined }
  | { octokit?: undefined; token?: string; baseUrl?: string };

export const SWARMTASK_USER_AGENT = 'swarmtask-github';

/** A plain Octokit (no retry or throttling plugins: callers decide what to retry). */
export function createGitHubClient(options: { token?: string; baseUrl?: string; userAgent?: string } = {}): Octokit {
  return new Octokit({
    ...(options.token ? { auth: options.token } : {}),
    baseUrl: (options.baseUrl ?? GITHUB_API_BASE_URL).replace(/\/+$/, ''),
    userAgent: options.userAgent ?? SWARMTASK_USER_AGENT,
    // Octokit warns on console by default; failures reach callers as errors instead.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

export function resolveOctokit(connection: GitHubConnection): Octokit {
  if (connection.octokit) return connection.octokit;
  return createGitHubClient({
    ...(connection.token !== undefined ? { token: connection.token } : {}),
    ...(connection.baseUrl !== undefined ? { baseUrl: connection.baseUrl } : {}),
  });
}

/** What GitHub said when a request failed (Octokit's `RequestError`, read structurally). */
export interface GitHubErrorInfo {
  /** HTTP status; undefined when no response arrived (network error, abort). */
  status: number | undefined;
  /** GitHub's `message` (or the error's message when the body had none). */
  message: string;
  /** Validation messages from a 422's `errors` array. */
  errors: string[];
  documentationUrl: string | undefined;
  requestId: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Reads an error thrown by Octokit. Octokit reports network failures (and timeouts) as status
 * 500 without a response; those come back with `status: undefined` so they are not mistaken for
 * a GitHub 500.
 */
export function describeGitHubError(err: unknown): GitHubErrorInfo {
  const info: GitHubErrorInfo = {
    status: undefined,
    message: err instanceof Error ? err.message : String(err),
    errors: [],
    documentationUrl: undefined,
    requestId: undefined,
  };
  if (!isRecord(err)) return info;
  const response = isRecord(err.response) ? err.response : undefined;
  if (response && typeof response.status === 'number') info.status = response.status;
  if (!response) return info;
  const headers = isRecord(response.headers) ? response.headers : {};
  if (typeof headers['x-github-request-id'] === 'string') info.requestId = headers['x-github-request-id'];
  const data = response.data;
  if (isRecord(data)) {
    if (typeof data.message === 'string') info.message = data.message;
    if (typeof data.documentation_url === 'string') info.documentationUrl = data.documentation_url;
    if (Array.isArray(data.errors)) {
      for (const e of data.errors) {
        if (typeof e === 'string') info.errors.push(e);
        else if (isRecord(e)) {
          if (typeof e.message === 'string') info.errors.push(e.message);
          else info.errors.push([e.resource, e.field, e.code].filter((x) => typeof x === 'string').join(' '));
        }
      }
    }
  } else if (typeof data === 'string' && data.trim()) {
    info.message = data.trim().slice(0, 300);
  }
  return info;
}

/** `422 Validation Failed: A pull request already exists for u:b.` */
export function formatGitHubError(info: GitHubErrorInfo): string {
  const head = info.status === undefined ? info.message : `${info.status} ${info.message}`;
  return info.errors.length ? `${head}: ${info.errors.join('; ')}` : head;
}

/** A per-request signal: the caller's signal (if any) combined with a timeout. */
export function requestSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
