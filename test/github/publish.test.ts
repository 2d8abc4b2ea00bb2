import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GitHubFlowError,
  publishPullRequest,
  updatePullRequestBody,
  type PublishPullRequestOptions,
} from '../../client/github/index.js';
import { renderSwarmOutputMarkdown } from '../../shared/github/markdown.js';
import { verifyPullRequest } from '../../server/github/index.js';
import { startGitHubStub, type GitHubStub, type GitHubStubOptions } from '../helpers/github-stub.js';

const CID = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e';
const ALICE = 'alice-token';
const MALLORY = 'mallory-token';

const markdown = renderSwarmOutputMarkdown({
  swarm_name: 'Financial Analysis Swarm',
  swarm_type: 'ConcurrentWorkflow',
  task: 'Analyze market trends for AI and tech sectors',
  output: [{ role: 'Market Analyst', content: 'AI spending keeps rising — “façade” ✓' }],
  final: 'AI spending keeps rising.',
  usage: { input_tokens: 12, output_tokens: 34, total_tokens: 46, billing_info: { total_cost: 0 } },
});

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let stub: GitHubStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function setup(options: GitHubStubOptions = {}): Promise<GitHubStub> {
  stub = await startGitHubStub({ tokens: { [ALICE]: 'alice', [MALLORY]: 'mallory' }, ...options });
  stub.createRepo({ owner: 'acme', name: 'widgets', files: { 'README.md': '# widgets\n' } });
  return stub;
}

function publishOptions(s: GitHubStub, overrides: Partial<PublishPullRequestOptions> = {}): PublishPullRequestOptions {
  return {
    token: ALICE,
    baseUrl: s.apiUrl,
    upstream: { owner: 'acme', name: 'widgets' },
    githubUsername: 'alice',
    branchName: 'swarmtask/todo-42',
    filePath: 'swarms/financial-analysis.md',
    markdown,
    title: 'swarmtask: Financial Analysis Swarm',
    body: `Swarm output for todo 42.\n\nSubmission CID: ${CID}\n`,
    submissionCid: CID,
    forkWait: { initialDelayMs: 1 },
    ...overrides,
  } as PublishPullRequestOptions;
}

async function flowError(promise: Promise<unknown>): Promise<GitHubFlowError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitHubFlowError);
  return err as GitHubFlowError;
}

describe('publishPullRequest: fork → branch → commit → pull request', () => {
  it('forks, branches from upstream head, commits the Markdown and opens a PR carrying the CID', async () => {
    const s = await setup();
    const upstreamHead = s.branchSha('acme', 'widgets', 'main')!;

    const result = await publishPullRequest(publishOptions(s));

    expect(result).toEqual({
      prUrl: `${s.htmlUrl}/acme/widgets/pull/1`,
      number: 1,
      headSha: s.branchSha('alice', 'widgets', 'swarmtask/todo-42'),
      headRepo: 'alice/widgets',
      baseBranch: 'main',
      created: { fork: true, branch: true, commit: true, pullRequest: true },
    });
    // The fork exists in alice's account, the branch grew one commit on top of upstream's head.
    expect(s.repoInfo('alice', 'widgets')).toEqual({ fullName: 'alice/widgets', fork: true, parent: 'acme/widgets' });
    expect(s.commitCount('alice', 'widgets', 'swarmtask/todo-42')).toBe(2);
    expect(s.branchSha('acme', 'widgets', 'main')).toBe(upstreamHead);
    expect(s.fileAt('alice', 'widgets', 'swarmtask/todo-42', 'swarms/financial-analysis.md')).toBe(markdown);
    // The PR: alice's, against acme/widgets main, from alice:branch, body with the CID.
    const [pr] = s.pulls('acme', 'widgets');
    expect(pr).toMatchObject({
      number: 1,
      author: 'alice',
      headRepo: 'alice/widgets',
      headRef: 'swarmtask/todo-42',
      baseRef: 'main',
      title: 'swarmtask: Financial Analysis Swarm',
      state: 'open',
    });
    expect(pr!.body).toContain(CID);

    // Exactly these calls, in this order, all authenticated with the token.
    expect(s.calls()).toEqual([
      'GET /repos/acme/widgets',
      'GET /repos/alice/widgets',
      'POST /repos/acme/widgets/forks',
      'GET /repos/alice/widgets',
      'GET /repos/alice/widgets/git/ref/heads/main',
      'GET /repos/alice/widgets/git/ref/heads/swarmtask/todo-42',
      'GET /repos/acme/widgets/git/ref/heads/main',
      'POST /repos/alice/widgets/git/refs',
      'GET /repos/alice/widgets/contents/swarms/financial-analysis.md',
      'PUT /repos/alice/widgets/contents/swarms/financial-analysis.md',
      'GET /repos/acme/widgets/pulls',
      'POST /repos/acme/widgets/pulls',
    ]);
    expect(s.requests.map((r) => r.status)).toEqual([200, 404, 202, 200, 200, 404, 200, 201, 404, 201, 200, 201]);
    expect(new Set(s.requests.map((r) => r.authorization))).toEqual(new Set([`token ${ALICE}`]));

    const byCall = (m: string) => s.requests.find((r) => `${r.method} ${r.path}` === m)!;
    expect(byCall('POST /repos/acme/widgets/forks').body).toEqual({ default_branch_only: true });
    expect(byCall('POST /repos/alice/widgets/git/refs').body).toEqual({ ref: 'refs/heads/swarmtask/todo-42', sha: upstreamHead });
    const put = byCall('PUT /repos/alice/widgets/contents/swarms/financial-analysis.md').body as Record<string, string>;
    expect(put).toEqual({
      branch: 'swarmtask/todo-42',
      message: 'Add swarms/financial-analysis.md',
      content: Buffer.from(markdown, 'utf8').toString('base64'),
    });
    expect(byCall('GET /repos/acme/widgets/pulls').query).toMatchObject({
      head: 'alice:swarmtask/todo-42',
      base: 'main',
      state: 'open',
    });
    expect(byCall('POST /repos/acme/widgets/pulls').body).toEqual({
      head: 'alice:swarmtask/todo-42',
      base: 'main',
      title: 'swarmtask: Financial Analysis Swarm',
      body: `Swarm output for todo 42.\n\nSubmission CID: ${CID}\n`,
      maintainer_can_modify: true,
    });
  });

  it('is idempotent: a retry reuses fork, branch, commit and PR and writes nothing', async () => {
    const s = await setup();
    const first = await publishPullRequest(publishOptions(s));
    const before = s.requests.length;

    const second = await publishPullRequest(publishOptions(s));

    expect(second).toEqual({ ...first, created: { fork: false, branch: false, commit: false, pullRequest: false } });
    const retryCalls = s.requests.slice(before);
    expect(retryCalls.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(retryCalls.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/widgets',
      'GET /repos/alice/widgets',
      'GET /repos/alice/widgets/git/ref/heads/swarmtask/todo-42',
      'GET /repos/alice/widgets/contents/swarms/financial-analysis.md',
      'GET /repos/alice/widgets/git/ref/heads/swarmtask/todo-42',
      'GET /repos/acme/widgets/pulls',
    ]);
    expect(s.pulls('acme', 'widgets')).toHaveLength(1);
    expect(s.commitCount('alice', 'widgets', 'swarmtask/todo-42')).toBe(2);
  });

  it('resumes after a failure at the last step without duplicating anything', async () => {
    const s = await setup();
    s.fail({ method: 'POST', path: '/repos/acme/widgets/pulls', status: 500 });

    const err = await flowError(publishPullRequest(publishOptions(s)));
    expect(err.step).toBe('pull-request');
    expect(err.status).toBe(500);
    expect(err.retryable).toBe(true);
    expect(s.pulls('acme', 'widgets')).toHaveLength(0);

    const result = await publishPullRequest(publishOptions(s));
    expect(result.created).toEqual({ fork: false, branch: false, commit: false, pullRequest: true });
    expect(s.pulls('acme', 'widgets')).toHaveLength(1);
    expect(s.commitCount('alice', 'widgets', 'swarmtask/todo-42')).toBe(2);
    expect(s.calls().filter((c) => c.startsWith('POST /repos/acme/widgets/forks'))).toHaveLength(1);
    expect(s.calls().filter((c) => c.startsWith('PUT '))).toHaveLength(1);
  });

  it('updates a different file on an existing branch (with its sha) and a reused PR whose body changed', async () => {
    const s = await setup();
    const first = await publishPullRequest(publishOptions(s, { body: 'Submission CID: pending', submissionCid: undefined }));
    expect(s.pulls('acme', 'widgets')[0]!.body).toBe('Submission CID: pending');

    const newer = `${markdown}\nAddendum.\n`;
    const second = await publishPullRequest(publishOptions(s, { markdown: newer }));

    expect(second.number).toBe(first.number);
    expect(second.headSha).not.toBe(first.headSha);
    expect(second.created).toEqual({ fork: false, branch: false, commit: true, pullRequest: false });
    expect(s.fileAt('alice', 'widgets', 'swarmtask/todo-42', 'swarms/financial-analysis.md')).toBe(newer);
    const puts = s.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect((puts[1]!.body as { sha?: string }).sha).toMatch(/^[0-9a-f]{40}$/);
    expect(puts[1]!.status).toBe(200);
    const patch = s.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe('/repos/acme/widgets/pulls/1');
    expect(s.pulls('acme', 'widgets')).toHaveLength(1);
    expect(s.pulls('acme', 'widgets')[0]!.body).toContain(CID);
  });

  it('waits for a fork that is not ready yet (404 first), then proceeds', async () => {
    const s = await setup({ forkReadyAfterReads: 3 });

    const result = await publishPullRequest(publishOptions(s));

    expect(result.number).toBe(1);
    const forkReads = s.requests.filter((r) => r.method === 'GET' && r.path === '/repos/alice/widgets');
    // One lookup before forking (no fork yet), three "not ready" probes, then ready.
    expect(forkReads.map((r) => r.status)).toEqual([404, 404, 404, 404, 200]);
    expect(s.calls().filter((c) => c === 'POST /repos/acme/widgets/forks')).toHaveLength(1);
  });

  it('gives up on a fork that never becomes ready, after the configured number of probes', async () => {
    const s = await setup({ forkReadyAfterReads: 1000 });
    const err = await flowError(publishPullRequest(publishOptions(s, { forkWait: { attempts: 4, initialDelayMs: 1 } })));
    expect(err.step).toBe('wait-fork');
    expect(err.status).toBe(404);
    expect(err.message).toContain('alice/widgets');
    expect(s.requests.filter((r) => r.path === '/repos/alice/widgets' && r.method === 'GET')).toHaveLength(1 + 4);
  });

  it('honours the AbortSignal while waiting for the fork', async () => {
    const controller = new AbortController();
    const s = await setup({
      forkReadyAfterReads: 1000,
      // Abort right after the first "not ready" probe; the backoff delay is an hour.
      onRequest: (r) => {
        if (r.method === 'GET' && r.path === '/repos/alice/widgets' && r.status === 404 && s.calls().includes('POST /repos/acme/widgets/forks')) {
          controller.abort();
        }
      },
    });
    const err = await flowError(
      publishPullRequest(publishOptions(s, { signal: controller.signal, forkWait: { initialDelayMs: 3_600_000 } })),
    );
    expect(err.step).toBe('wait-fork');
    expect(err.aborted).toBe(true);
    expect(err.retryable).toBe(false);
  });

  it('two concurrent attempts for the same todo converge on one fork, one commit and one PR', async () => {
    const s = await setup();
    const [a, b] = await Promise.all([publishPullRequest(publishOptions(s)), publishPullRequest(publishOptions(s))]);
    expect(a.prUrl).toBe(b.prUrl);
    expect(a.headSha).toBe(b.headSha);
    expect(s.pulls('acme', 'widgets')).toHaveLength(1);
    expect(s.commitCount('alice', 'widgets', 'swarmtask/todo-42')).toBe(2);
    expect([a.created.pullRequest, b.created.pullRequest].filter(Boolean)).toHaveLength(1);
  });

  it('does not fork again when the fork exists; a second todo gets its own branch and PR', async () => {
    const s = await setup();
    await publishPullRequest(publishOptions(s));
    const before = s.requests.length;

    const other = await publishPullRequest(publishOptions(s, { branchName: 'swarmtask/todo-43', filePath: 'swarms/43.md' }));

    expect(other.number).toBe(2);
    expect(other.created).toEqual({ fork: false, branch: true, commit: true, pullRequest: true });
    expect(s.requests.slice(before).some((r) => r.path.endsWith('/forks'))).toBe(false);
    expect(s.pulls('acme', 'widgets').map((p) => p.headRef)).toEqual(['swarmtask/todo-42', 'swarmtask/todo-43']);
  });

  it('branches from the current upstream head even when the fork is behind', async () => {
    const s = await setup();
    await publishPullRequest(publishOptions(s));
    const newHead = s.pushCommit('acme', 'widgets', 'main', { 'CHANGELOG.md': 'v2\n' });

    const next = await publishPullRequest(publishOptions(s, { branchName: 'swarmtask/todo-44' }));

    const branchPost = s.requests.filter((r) => r.method === 'POST' && r.path === '/repos/alice/widgets/git/refs').pop()!;
    expect((branchPost.body as { sha: string }).sha).toBe(newHead);
    expect(s.fileAt('alice', 'widgets', 'swarmtask/todo-44', 'CHANGELOG.md')).toBe('v2\n');
    expect(next.number).toBe(2);
  });

  it('works with a caller-provided Octokit instance', async () => {
    const s = await setup();
    const octokit = new Octokit({ auth: ALICE, baseUrl: s.apiUrl, log: quiet });
    const result = await publishPullRequest({ ...publishOptions(s), token: undefined, baseUrl: undefined, octokit });
    expect(result.prUrl).toBe(`${s.htmlUrl}/acme/widgets/pull/1`);
  });

  it('uses a branch of upstream itself when the worker owns the upstream repository', async () => {
    const s = await setup();
    s.createRepo({ owner: 'alice', name: 'notes' });
    const result = await publishPullRequest(publishOptions(s, { upstream: { owner: 'alice', name: 'notes' } }));
    expect(result.headRepo).toBe('alice/notes');
    expect(result.created.fork).toBe(false);
    expect(s.calls().some((c) => c.endsWith('/forks'))).toBe(false);
    expect(s.pulls('alice', 'notes')[0]).toMatchObject({ author: 'alice', headRepo: 'alice/notes', baseRef: 'main' });
  });

  it('then updatePullRequestBody puts the final CID into an early PR, and the verifier accepts it', async () => {
    const s = await setup();
    const early = await publishPullRequest(publishOptions(s, { body: 'Submission pending', submissionCid: undefined }));
    const expected = { owner: 'acme', name: 'widgets', githubUsername: 'alice', submissionCid: CID };
    const before = await verifyPullRequest({ token: ALICE, baseUrl: s.apiUrl, prUrl: early.prUrl, expected });
    expect(before).toMatchObject({ ok: false, code: 'cid_missing' });

    await updatePullRequestBody({
      token: ALICE,
      baseUrl: s.apiUrl,
      htmlBaseUrl: s.htmlUrl,
      prUrl: early.prUrl,
      body: `Submission CID: ${CID}`,
      submissionCid: CID,
    });

    const after = await verifyPullRequest({ token: ALICE, baseUrl: s.apiUrl, prUrl: early.prUrl, expected });
    expect(after).toEqual({
      ok: true,
      pr: { owner: 'acme', name: 'widgets', number: 1, author: 'alice', state: 'open', headSha: early.headSha },
    });
  });
});

describe('publishPullRequest: errors', () => {
  it('a rejected token surfaces as a clear 401 at the first step', async () => {
    const s = await setup();
    const err = await flowError(publishPullRequest(publishOptions(s, { token: 'revoked-token' })));
    expect(err.name).toBe('GitHubFlowError');
    expect(err.step).toBe('upstream');
    expect(err.status).toBe(401);
    expect(err.githubMessage).toBe('Bad credentials');
    expect(err.documentationUrl).toMatch(/^https:\/\/docs\.github\.com\//);
    expect(err.requestId).toMatch(/^STUB:/);
    expect(err.message).toContain('401 Bad credentials');
    expect(err.message).toContain('token was rejected');
    expect(err.retryable).toBe(false);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.authorization).toBe('token revoked-token');
  });

  it('accepts Bearer tokens as GitHub does (Octokit sends JWT-shaped tokens as bearer)', async () => {
    const s = await setup();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    s.addUser('alice', jwt);
    const result = await publishPullRequest(publishOptions(s, { token: jwt }));
    expect(result.number).toBe(1);
    expect(new Set(s.requests.map((r) => r.authorization))).toEqual(new Set([`bearer ${jwt}`]));
  });

  it("refuses a token that forks into someone else's account", async () => {
    const s = await setup();
    const err = await flowError(publishPullRequest(publishOptions(s, { token: MALLORY })));
    expect(err.step).toBe('fork');
    expect(err.message).toContain("mallory's account, not alice's");
  });

  it('a missing upstream repository is a 404 at the upstream step', async () => {
    const s = await setup();
    const err = await flowError(publishPullRequest(publishOptions(s, { upstream: { owner: 'acme', name: 'nope' } })));
    expect(err.step).toBe('upstream');
    expect(err.status).toBe(404);
    expect(err.githubMessage).toBe('Not Found');
  });

  it('a missing base branch fails at the branch step', async () => {
    const s = await setup();
    const err = await flowError(publishPullRequest(publishOptions(s, { baseBranch: 'release' })));
    expect(err.step).toBe('branch');
    expect(err.message).toContain('base branch release not found in acme/widgets');
  });

  it('content identical to the base branch leaves nothing to propose: GitHub 422 surfaces with its reason', async () => {
    const s = await setup();
    s.pushCommit('acme', 'widgets', 'main', { 'swarms/financial-analysis.md': markdown });
    const err = await flowError(publishPullRequest(publishOptions(s)));
    expect(err.step).toBe('pull-request');
    expect(err.status).toBe(422);
    expect(err.message).toContain('422 Validation Failed: No commits between main and alice:swarmtask/todo-42');
  });

  it('a hung request times out as a typed, retryable error', async () => {
    const s = await setup();
    s.fail({ method: 'PUT', path: /\/contents\//, hang: true });
    const err = await flowError(publishPullRequest(publishOptions(s, { requestTimeoutMs: 300 })));
    expect(err.step).toBe('commit');
    expect(err.timedOut).toBe(true);
    expect(err.status).toBeUndefined();
    expect(err.retryable).toBe(true);
  });

  it('validates its input before calling GitHub', async () => {
    const s = await setup();
    const cases: Array<Partial<PublishPullRequestOptions>> = [
      { branchName: 'bad..branch' },
      { branchName: 'has space' },
      { filePath: '../escape.md' },
      { filePath: '/abs.md' },
      { githubUsername: 'bad_user!' },
      { upstream: { owner: 'acme', name: '..' } },
      { title: '  ' },
      { body: 'no cid here' },
      { body: `prefix${CID}` },
    ];
    for (const c of cases) {
      const err = await flowError(publishPullRequest(publishOptions(s, c)));
      expect(err.step, JSON.stringify(c)).toBe('input');
    }
    expect(s.requests).toHaveLength(0);
  });

  it('stops before the first request when the signal is already aborted', async () => {
    const s = await setup();
    const err = await flowError(publishPullRequest(publishOptions(s, { signal: AbortSignal.abort() })));
    expect(err.aborted).toBe(true);
    expect(s.requests).toHaveLength(0);
  });
});
