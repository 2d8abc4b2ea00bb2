import { describeGitHubError, formatGitHubError, type GitHubErrorInfo } from '../../shared/github/octokit.js';

/** The step of the fork → branch → commit → pull-request flow that failed. */
export type GitHubFlowStep = 'input' | 'upstream' | 'fork' | 'wait-fork' | 'branch' | 'commit' | 'pull-request';

/**
 * A failed step of the publishing flow, with what GitHub answered. `status` is the HTTP status
 * (undefined when no response arrived: network error, timeout, abort); `aborted` is true when the
 * caller's signal ended the flow; `timedOut` when a single request ran past its time limit.
 */
export class GitHubFlowError extends Error {
  readonly step: GitHubFlowStep;
  readonly status: number | undefined;
  readonly githubMessage: string | undefined;
  readonly documentationUrl: string | undefined;
  readonly requestId: string | undefined;
  readonly aborted: boolean;
  readonly timedOut: boolean;

  constructor(
    step: GitHubFlowStep,
    message: string,
    details: {
      status?: number;
      info?: GitHubErrorInfo;
      aborted?: boolean;
      timedOut?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(`GitHub ${step} failed: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GitHubFlowError';
    this.step = step;
    this.status = details.status ?? details.info?.status;
    this.githubMessage = details.info?.message;
    this.documentationUrl = details.info?.documentationUrl;
    this.requestId = details.info?.requestId;
    this.aborted = details.aborted ?? false;
    this.timedOut = details.timedOut ?? false;
  }

  /** Whether retrying later can help (rate limits, GitHub outages, timeouts), as opposed to bad input or credentials. */
  get retryable(): boolean {
    if (this.aborted) return false;
    if (this.timedOut || this.status === undefined) return this.step !== 'input';
    return this.status === 429 || this.status >= 500 || (this.step === 'wait-fork' && this.status === 404);
  }
}

const hints: Record<number, string> = {
  401: 'the token was rejected (missing, expired or revoked)',
  403: 'the token lacks permission, or a rate or abuse limit was hit',
};

/** Turns whatever a request threw into a GitHubFlowError for `step`. */
export function toFlowError(
  step: GitHubFlowStep,
  err: unknown,
  context: { what: string; signal?: AbortSignal | undefined },
): GitHubFlowError {
  if (err instanceof GitHubFlowError) return err;
  if (context.signal?.aborted) {
    return new GitHubFlowError(step, `${context.what}: aborted`, { aborted: true, cause: err });
  }
  const info = describeGitHubError(err);
  const name = err instanceof Error ? err.name : '';
  const causeName = err instanceof Error && err.cause instanceof Error ? err.cause.name : '';
  if (info.status === undefined && (name === 'TimeoutError' || causeName === 'TimeoutError' || name === 'AbortError')) {
    return new GitHubFlowError(step, `${context.what}: request timed out`, { timedOut: true, info, cause: err });
  }
  const hint = info.status !== undefined ? hints[info.status] : undefined;
  return new GitHubFlowError(step, `${context.what}: ${formatGitHubError(info)}${hint ? ` (${hint})` : ''}`, {
    info,
    cause: err,
  });
}
