import { z } from 'zod';
import {
  describeGitHubError,
  formatGitHubError,
  requestSignal,
  resolveOctokit,
  type GitHubConnection,
} from '../../shared/github/octokit.js';
import { bodyCarriesCid } from '../../shared/github/pr-body.js';
import { GITHUB_API_BASE_URL, htmlBaseUrlForApi, parsePullRequestUrl, sameGitHubName } from '../../shared/github/pr-url.js';

/**
 * The auditor's PR check (DESIGN §4): the pull request exists, was opened by the GitHub user the
 * signed submission names, targets the todo's repository, and its body carries the submission
 * CID. Unlike the original (`verify_pr_ownership` returned True on any exception), this fails
 * closed: a malformed URL, an API error, an unexpected response or a timeout is `ok: false`.
 */

export type PullRequestCheckCode =
  | 'malformed_url'
  | 'wrong_repo'
  | 'pr_not_found'
  | 'wrong_user'
  | 'cid_missing'
  | 'api_error'
  | 'bad_response'
  | 'timeout'
  | 'aborted';

export interface VerifiedPullRequest {
  owner: string;
  name: string;
  number: number;
  author: string;
  state: string;
  headSha: string;
}

export type VerifyPullRequestResult =
  | { ok: true; pr: VerifiedPullRequest }
  | { ok: false; code: PullRequestCheckCode; reason: string; status?: number };

export type VerifyPullRequestOptions = GitHubConnection & {
  prUrl: string;
  expected: {
    /** The todo's repository. */
    owner: string;
    name: string;
    /** The GitHub user named in the signed submission. */
    githubUsername: string;
    /** The CID the PR body must carry; `null` for legacy Koii PRs, which never carried one. */
    submissionCid: string | null;
  };
  /**
   * Web base the PR URL must live under. Default: derived from `baseUrl` (api.github.com →
   * https://github.com, `…/api/v3` → its host), else https://github.com.
   */
  htmlBaseUrl?: string;
  signal?: AbortSignal;
  /** Time limit of the API call (default 15 000 ms). */
  timeoutMs?: number;
};

/** The fields we rely on, validated: a response that lacks them is not a pass. */
const PullSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  state: z.string(),
  body: z.string().nullable().optional(),
  user: z.object({ login: z.string() }).nullable(),
  head: z.object({ sha: z.string() }),
  base: z.object({ repo: z.object({ full_name: z.string() }).nullable() }),
});

const DEFAULT_TIMEOUT_MS = 15_000;

export async function verifyPullRequest(options: VerifyPullRequestOptions): Promise<VerifyPullRequestResult> {
  const { expected } = options;
  const fail = (code: PullRequestCheckCode, reason: string, status?: number): VerifyPullRequestResult =>
    status === undefined ? { ok: false, code, reason } : { ok: false, code, reason, status };

  const apiBaseUrl = options.octokit ? options.octokit.request.endpoint.DEFAULTS.baseUrl : options.baseUrl;
  const htmlBaseUrl = options.htmlBaseUrl ?? htmlBaseUrlForApi(apiBaseUrl ?? GITHUB_API_BASE_URL);
  const parsed = parsePullRequestUrl(options.prUrl, htmlBaseUrl ? { htmlBaseUrl } : {});
  if (!parsed.ok) return fail('malformed_url', parsed.reason);
  const expectedRepo = `${expected.owner}/${expected.name}`;
  if (!sameGitHubName(parsed.owner, expected.owner) || !sameGitHubName(parsed.name, expected.name)) {
    return fail('wrong_repo', `PR URL points at ${parsed.owner}/${parsed.name}, expected ${expectedRepo}`);
  }
  if (expected.submissionCid === '') return fail('cid_missing', 'no submission CID to look for');

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = requestSignal(options.signal, timeoutMs);
  let raw: unknown;
  try {
    const octokit = resolveOctokit(options);
    const res = await octokit.rest.pulls.get({
      owner: parsed.owner,
      repo: parsed.name,
      pull_number: parsed.number,
      request: { signal },
    });
    raw = res.data;
  } catch (err) {
    if (options.signal?.aborted) return fail('aborted', 'the check was aborted');
    if (signal.aborted) return fail('timeout', `GitHub did not answer within ${timeoutMs} ms`);
    const info = describeGitHubError(err);
    if (info.status === 404) return fail('pr_not_found', `PR #${parsed.number} not found in ${parsed.owner}/${parsed.name}`, 404);
    return fail('api_error', `GitHub API error: ${formatGitHubError(info)}`, info.status);
  }

  const pr = PullSchema.safeParse(raw);
  if (!pr.success) return fail('bad_response', `unexpected pull request response: ${pr.error.issues[0]?.message ?? 'invalid'}`);
  const d = pr.data;
  if (d.number !== parsed.number) return fail('bad_response', `GitHub returned PR #${d.number} for #${parsed.number}`);
  const baseRepo = d.base.repo?.full_name;
  if (!baseRepo || !sameGitHubName(baseRepo, expectedRepo)) {
    return fail('wrong_repo', `PR targets ${baseRepo ?? 'a deleted repository'}, expected ${expectedRepo}`);
  }
  const author = d.user?.login;
  if (!author || !sameGitHubName(author, expected.githubUsername)) {
    return fail('wrong_user', `PR was opened by ${author ?? 'a deleted user'}, expected ${expected.githubUsername}`);
  }
  if (expected.submissionCid !== null && !bodyCarriesCid(d.body, expected.submissionCid)) {
    return fail('cid_missing', `PR body does not carry the submission CID ${expected.submissionCid}`);
  }
  return {
    ok: true,
    pr: { owner: parsed.owner, name: parsed.name, number: d.number, author, state: d.state, headSha: d.head.sha },
  };
}
