import { setTimeout as sleep } from 'node:timers/promises';
import type { Octokit } from '@octokit/rest';
import { requestSignal, resolveOctokit, type GitHubConnection } from '../../shared/github/octokit.js';
import { bodyCarriesCid } from '../../shared/github/pr-body.js';
import {
  isValidOwner,
  isValidRepoName,
  parsePullRequestUrl,
  sameGitHubName,
  type RepoRef,
} from '../../shared/github/pr-url.js';
import { GitHubFlowError, toFlowError, type GitHubFlowStep } from './errors.js';

/**
 * The worker's GitHub flow (koii-upstream.md §4, without git or a clone): fork the upstream
 * repository into the worker's account (unless already forked) → wait until the fork is usable →
 * create a branch from the upstream base branch's head → commit the Markdown file with the
 * contents API → open a pull request against upstream whose body carries the submission CID.
 *
 * Every step first looks for what an earlier (interrupted) attempt left behind and reuses it: an
 * existing fork, branch, identical file, or open PR for the same head is never duplicated, so the
 * whole call can simply be retried. A reused PR whose title or body differs is updated, which is
 * also how a worker puts the final submission CID into a PR it opened before the CID existed.
 */

export interface ForkWaitOptions {
  /** Probes of the new fork before giving up (default 10). */
  attempts?: number;
  /** Delay after the first failed probe, doubled each time (default 1000 ms). */
  initialDelayMs?: number;
  /** Upper bound of one delay (default 30 000 ms). */
  maxDelayMs?: number;
}

export type PublishPullRequestOptions = GitHubConnection & {
  upstream: RepoRef;
  /** The worker's GitHub login: the fork's owner and the PR's author. */
  githubUsername: string;
  branchName: string;
  /** Path of the Markdown file inside the repository, e.g. `swarms/financial-analysis.md`. */
  filePath: string;
  markdown: string;
  title: string;
  /** The PR description; it must carry the submission CID (checked when `submissionCid` is given). */
  body: string;
  submissionCid?: string;
  /** Default: `Add ${filePath}`. */
  commitMessage?: string;
  /** Branch the PR targets; default: the upstream repository's default branch. */
  baseBranch?: string;
  draft?: boolean;
  signal?: AbortSignal;
  /** Time limit of each GitHub request (default 30 000 ms). */
  requestTimeoutMs?: number;
  forkWait?: ForkWaitOptions;
};

export interface PublishedPullRequest {
  prUrl: string;
  number: number;
  /** The branch head after the commit (the PR's head commit). */
  headSha: string;
  /** `owner/name` of the repository the PR comes from (the fork). */
  headRepo: string;
  baseBranch: string;
  /** What this call created, as opposed to found and reused. */
  created: { fork: boolean; branch: boolean; commit: boolean; pullRequest: boolean };
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

interface Ctx {
  octokit: Octokit;
  signal: AbortSignal | undefined;
  timeoutMs: number;
}

/** Runs one request with the per-request signal, mapping failures to GitHubFlowError. */
async function call<T>(
  ctx: Ctx,
  step: GitHubFlowStep,
  what: string,
  fn: (request: { signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  if (ctx.signal?.aborted) throw new GitHubFlowError(step, `${what}: aborted`, { aborted: true, cause: ctx.signal.reason });
  try {
    return await fn({ signal: requestSignal(ctx.signal, ctx.timeoutMs) });
  } catch (err) {
    throw toFlowError(step, err, { what, signal: ctx.signal });
  }
}

/** Like `call`, but the listed statuses (default: 404) yield `undefined` instead of an error. */
async function callOrMissing<T>(
  ctx: Ctx,
  step: GitHubFlowStep,
  what: string,
  fn: (request: { signal: AbortSignal }) => Promise<T>,
  missing: readonly number[] = [404],
): Promise<T | undefined> {
  try {
    return await call(ctx, step, what, fn);
  } catch (err) {
    if (err instanceof GitHubFlowError && err.status !== undefined && missing.includes(err.status)) return undefined;
    throw err;
  }
}

/** git check-ref-format rules for a branch name. */
function isValidBranchName(name: string): boolean {
  if (!name || name.length > 255 || name === '@') return false;
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name)) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.includes('//')) return false;
  if (name.includes('..') || name.includes('@{') || name.startsWith('-')) return false;
  return name.split('/').every((part) => part.length > 0 && !part.startsWith('.') && !part.endsWith('.lock'));
}

function isValidFilePath(path: string): boolean {
  if (!path || path.length > 1024 || /[\u0000-\u001f\u007f\\]/.test(path)) return false;
  return path.split('/').every((part) => part.length > 0 && part !== '.' && part !== '..' && part !== '.git');
}

function validate(options: PublishPullRequestOptions): void {
  const bad = (message: string) => new GitHubFlowError('input', message);
  if (!isValidOwner(options.upstream.owner)) throw bad(`invalid upstream owner ${JSON.stringify(options.upstream.owner)}`);
  if (!isValidRepoName(options.upstream.name)) throw bad(`invalid upstream repository name ${JSON.stringify(options.upstream.name)}`);
  if (!isValidOwner(options.githubUsername)) throw bad(`invalid GitHub username ${JSON.stringify(options.githubUsername)}`);
  if (!isValidBranchName(options.branchName)) throw bad(`invalid branch name ${JSON.stringify(options.branchName)}`);
  if (options.baseBranch !== undefined && !isValidBranchName(options.baseBranch)) {
    throw bad(`invalid base branch name ${JSON.stringify(options.baseBranch)}`);
  }
  if (!isValidFilePath(options.filePath)) throw bad(`invalid file path ${JSON.stringify(options.filePath)}`);
  if (!options.title.trim()) throw bad('the PR title is empty');
  if (options.submissionCid !== undefined && !bodyCarriesCid(options.body, options.submissionCid)) {
    throw bad(`the PR body does not carry the submission CID ${options.submissionCid}`);
  }
}

interface RepoInfo {
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
}

function repoInfo(data: { name: string; full_name: string; default_branch: string; owner: { login: string } }): RepoInfo {
  return { owner: data.owner.login, name: data.name, fullName: data.full_name, defaultBranch: data.default_branch };
}

/** Finds the worker's fork of `upstream`, or creates it. */
async function ensureFork(
  ctx: Ctx,
  upstream: RepoInfo,
  githubUsername: string,
): Promise<{ fork: RepoInfo; created: boolean }> {
  // Forking your own repository is not possible; the PR then comes from a branch of upstream.
  if (sameGitHubName(upstream.owner, githubUsername)) return { fork: upstream, created: false };

  const existing = await callOrMissing(ctx, 'fork', `look up ${githubUsername}/${upstream.name}`, (request) =>
    ctx.octokit.rest.repos.get({ owner: githubUsername, repo: upstream.name, request }),
  );
  if (existing) {
    const d = existing.data;
    const forkOf = [d.parent?.full_name, d.source?.full_name].filter((x): x is string => typeof x === 'string');
    if (d.fork && forkOf.some((full) => sameGitHubName(full, upstream.fullName))) {
      return { fork: repoInfo(d), created: false };
    }
  }

  // GitHub answers 202 with the fork (or with the existing fork, under whatever name it has).
  const created = await call(ctx, 'fork', `fork ${upstream.fullName}`, (request) =>
    ctx.octokit.rest.repos.createFork({ owner: upstream.owner, repo: upstream.name, default_branch_only: true, request }),
  );
  const fork = repoInfo(created.data);
  if (!sameGitHubName(fork.owner, githubUsername)) {
    throw new GitHubFlowError(
      'fork',
      `the token forks into ${fork.owner}'s account, not ${githubUsername}'s (use ${githubUsername}'s token)`,
      { status: created.status },
    );
  }
  return { fork, created: true };
}

/**
 * Forking is asynchronous: until GitHub has copied the repository, the fork (or its git data)
 * answers 404 (or 409 "Git Repository is empty"). Probe with exponential backoff, bounded.
 */
async function waitForFork(ctx: Ctx, fork: RepoInfo, options: ForkWaitOptions): Promise<void> {
  const attempts = Math.max(1, options.attempts ?? 10);
  const initial = Math.max(0, options.initialDelayMs ?? 1000);
  const cap = Math.max(initial, options.maxDelayMs ?? 30_000);
  const notReady = [404, 409];
  for (let attempt = 0; ; attempt++) {
    const repo = await callOrMissing(
      ctx,
      'wait-fork',
      `read fork ${fork.fullName}`,
      (request) => ctx.octokit.rest.repos.get({ owner: fork.owner, repo: fork.name, request }),
      notReady,
    );
    if (repo) {
      const ref = await callOrMissing(
        ctx,
        'wait-fork',
        `read ${fork.fullName} heads/${repo.data.default_branch}`,
        (request) =>
          ctx.octokit.rest.git.getRef({ owner: fork.owner, repo: fork.name, ref: `heads/${repo.data.default_branch}`, request }),
        notReady,
      );
      if (ref) return;
    }
    if (attempt + 1 >= attempts) {
      throw new GitHubFlowError('wait-fork', `fork ${fork.fullName} was not ready after ${attempts} probes`, { status: 404 });
    }
    try {
      await sleep(Math.min(cap, initial * 2 ** attempt), undefined, ctx.signal ? { signal: ctx.signal } : undefined);
    } catch (err) {
      throw new GitHubFlowError('wait-fork', `waiting for fork ${fork.fullName}: aborted`, { aborted: true, cause: err });
    }
  }
}

async function getBranchSha(ctx: Ctx, repo: RepoInfo, branch: string): Promise<string | undefined> {
  const ref = await callOrMissing(ctx, 'branch', `read ${repo.fullName} heads/${branch}`, (request) =>
    ctx.octokit.rest.git.getRef({ owner: repo.owner, repo: repo.name, ref: `heads/${branch}`, request }),
  );
  return ref?.data.object.sha;
}

/** The branch on the fork, created from the upstream base branch's head when missing. */
async function ensureBranch(
  ctx: Ctx,
  upstream: RepoInfo,
  fork: RepoInfo,
  baseBranch: string,
  branch: string,
): Promise<{ sha: string; created: boolean }> {
  const existing = await getBranchSha(ctx, fork, branch);
  if (existing) return { sha: existing, created: false };

  const baseSha = await getBranchSha(ctx, upstream, baseBranch);
  if (!baseSha) {
    throw new GitHubFlowError('branch', `base branch ${baseBranch} not found in ${upstream.fullName}`, { status: 404 });
  }
  try {
    await call(ctx, 'branch', `create ${fork.fullName} heads/${branch}`, (request) =>
      ctx.octokit.rest.git.createRef({ owner: fork.owner, repo: fork.name, ref: `refs/heads/${branch}`, sha: baseSha, request }),
    );
    return { sha: baseSha, created: true };
  } catch (err) {
    // "Reference already exists": a concurrent or earlier attempt won the race; use its branch.
    if (err instanceof GitHubFlowError && err.status === 422) {
      const raced = await getBranchSha(ctx, fork, branch);
      if (raced) return { sha: raced, created: false };
    }
    throw err;
  }
}

/** Commits `markdown` at `path` on the branch, unless the branch already has exactly that file. */
async function ensureFile(
  ctx: Ctx,
  fork: RepoInfo,
  branch: string,
  path: string,
  markdown: string,
  message: string,
): Promise<{ sha: string; created: boolean }> {
  const wanted = Buffer.from(markdown, 'utf8');
  for (let attempt = 0; ; attempt++) {
    const current = await callOrMissing(ctx, 'commit', `read ${fork.fullName}:${branch}/${path}`, (request) =>
      ctx.octokit.rest.repos.getContent({ owner: fork.owner, repo: fork.name, path, ref: branch, request }),
    );
    let fileSha: string | undefined;
    if (current) {
      const d = current.data;
      if (Array.isArray(d) || d.type !== 'file') {
        throw new GitHubFlowError('commit', `${path} exists on ${fork.fullName}:${branch} and is not a file`, {
          status: current.status,
        });
      }
      fileSha = d.sha;
      const content = 'content' in d && typeof d.content === 'string' ? d.content : '';
      if (d.encoding === 'base64' && Buffer.from(content, 'base64').equals(wanted)) {
        const head = await getBranchSha(ctx, fork, branch);
        if (!head) throw new GitHubFlowError('commit', `branch ${branch} vanished from ${fork.fullName}`, { status: 404 });
        return { sha: head, created: false };
      }
    }
    try {
      const put = await call(ctx, 'commit', `write ${fork.fullName}:${branch}/${path}`, (request) =>
        ctx.octokit.rest.repos.createOrUpdateFileContents({
          owner: fork.owner,
          repo: fork.name,
          path,
          branch,
          message,
          content: wanted.toString('base64'),
          ...(fileSha ? { sha: fileSha } : {}),
          request,
        }),
      );
      const sha = put.data.commit.sha;
      if (!sha) throw new GitHubFlowError('commit', 'GitHub returned no commit sha', { status: put.status });
      return { sha, created: true };
    } catch (err) {
      // 409: the file changed under us (stale sha); 422: it appeared since we looked (sha missing).
      const retry = err instanceof GitHubFlowError && (err.status === 409 || err.status === 422) && attempt < 2;
      if (!retry) throw err;
    }
  }
}

interface PullSummary {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  user: { login: string } | null;
  head: { ref: string; label: string };
}

async function findOpenPull(
  ctx: Ctx,
  upstream: RepoInfo,
  fork: RepoInfo,
  branch: string,
  baseBranch: string,
): Promise<PullSummary | undefined> {
  const list = await call(ctx, 'pull-request', `list ${upstream.fullName} pulls for ${fork.owner}:${branch}`, (request) =>
    ctx.octokit.rest.pulls.list({
      owner: upstream.owner,
      repo: upstream.name,
      head: `${fork.owner}:${branch}`,
      base: baseBranch,
      state: 'open',
      per_page: 100,
      request,
    }),
  );
  return list.data.find(
    (p) => p.head.ref === branch && sameGitHubName(p.head.label, `${fork.owner}:${branch}`),
  );
}

export async function publishPullRequest(options: PublishPullRequestOptions): Promise<PublishedPullRequest> {
  validate(options);
  const ctx: Ctx = {
    octokit: resolveOctokit(options),
    signal: options.signal,
    timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
  const { branchName: branch, filePath } = options;

  const upstreamRes = await call(ctx, 'upstream', `read ${options.upstream.owner}/${options.upstream.name}`, (request) =>
    ctx.octokit.rest.repos.get({ owner: options.upstream.owner, repo: options.upstream.name, request }),
  );
  const upstream = repoInfo(upstreamRes.data);
  const baseBranch = options.baseBranch ?? upstream.defaultBranch;

  const { fork, created: forkCreated } = await ensureFork(ctx, upstream, options.githubUsername);
  if (forkCreated) await waitForFork(ctx, fork, options.forkWait ?? {});

  const { created: branchCreated } = await ensureBranch(ctx, upstream, fork, baseBranch, branch);
  const commit = await ensureFile(ctx, fork, branch, filePath, options.markdown, options.commitMessage ?? `Add ${filePath}`);

  const head = `${fork.owner}:${branch}`;
  let pr = await findOpenPull(ctx, upstream, fork, branch, baseBranch);
  let prCreated = false;
  if (!pr) {
    try {
      const res = await call(ctx, 'pull-request', `open a PR ${head} → ${upstream.fullName}:${baseBranch}`, (request) =>
        ctx.octokit.rest.pulls.create({
          owner: upstream.owner,
          repo: upstream.name,
          head,
          base: baseBranch,
          title: options.title,
          body: options.body,
          maintainer_can_modify: true,
          ...(options.draft ? { draft: true } : {}),
          request,
        }),
      );
      pr = res.data;
      prCreated = true;
    } catch (err) {
      // "A pull request already exists for user:branch": opened concurrently; reuse it.
      if (!(err instanceof GitHubFlowError && err.status === 422)) throw err;
      pr = await findOpenPull(ctx, upstream, fork, branch, baseBranch);
      if (!pr) throw err;
    }
  }
  if (!prCreated && (pr.body !== options.body || pr.title !== options.title)) {
    const number = pr.number;
    const res = await call(ctx, 'pull-request', `update PR #${number} of ${upstream.fullName}`, (request) =>
      ctx.octokit.rest.pulls.update({
        owner: upstream.owner,
        repo: upstream.name,
        pull_number: number,
        title: options.title,
        body: options.body,
        request,
      }),
    );
    pr = res.data;
  }

  return {
    prUrl: pr.html_url,
    number: pr.number,
    headSha: commit.sha,
    headRepo: fork.fullName,
    baseBranch,
    created: { fork: forkCreated, branch: branchCreated, commit: commit.created, pullRequest: prCreated },
  };
}

export type UpdatePullRequestBodyOptions = GitHubConnection & {
  prUrl: string;
  body: string;
  title?: string;
  /** Web base of `prUrl` when it is not https://github.com (GitHub Enterprise, a test server). */
  htmlBaseUrl?: string;
  submissionCid?: string;
  signal?: AbortSignal;
  requestTimeoutMs?: number;
};

/**
 * Replaces the body (and optionally the title) of a PR: for a worker that opened its PR before
 * the submission record — and so its CID — existed.
 */
export async function updatePullRequestBody(options: UpdatePullRequestBodyOptions): Promise<{ prUrl: string; number: number }> {
  const parsed = parsePullRequestUrl(options.prUrl, options.htmlBaseUrl ? { htmlBaseUrl: options.htmlBaseUrl } : {});
  if (!parsed.ok) throw new GitHubFlowError('input', parsed.reason);
  if (options.submissionCid !== undefined && !bodyCarriesCid(options.body, options.submissionCid)) {
    throw new GitHubFlowError('input', `the PR body does not carry the submission CID ${options.submissionCid}`);
  }
  const ctx: Ctx = {
    octokit: resolveOctokit(options),
    signal: options.signal,
    timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
  const res = await call(ctx, 'pull-request', `update PR #${parsed.number} of ${parsed.owner}/${parsed.name}`, (request) =>
    ctx.octokit.rest.pulls.update({
      owner: parsed.owner,
      repo: parsed.name,
      pull_number: parsed.number,
      body: options.body,
      ...(options.title !== undefined ? { title: options.title } : {}),
      request,
    }),
  );
  return { prUrl: res.data.html_url, number: res.data.number };
}
