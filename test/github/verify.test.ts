import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publishPullRequest } from '../../client/github/index.js';
import { verifyPullRequest, type VerifyPullRequestOptions } from '../../server/github/index.js';
import { startGitHubStub, type GitHubStub } from '../helpers/github-stub.js';

const CID = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e';
const OTHER_CID = 'QmWmRj3dFDZdb6ABvbmKhEL6TmPbAfBZ1t5BxsEyJrcZhE';
const AUDITOR = 'auditor-token';

let s: GitHubStub;
/** alice's PR #1 (body carries CID), mallory's PR #2 (body carries OTHER_CID), on acme/widgets. */
let alicePr: string;
let malloryPr: string;

beforeAll(async () => {
  s = await startGitHubStub({ tokens: { 'alice-token': 'alice', 'mallory-token': 'mallory', [AUDITOR]: 'auditor' } });
  s.createRepo({ owner: 'acme', name: 'widgets' });
  s.createRepo({ owner: 'acme', name: 'gizmos' });
  const common = {
    baseUrl: s.apiUrl,
    upstream: { owner: 'acme', name: 'widgets' },
    filePath: 'out.md',
    markdown: '# out\n',
    title: 'swarm output',
    forkWait: { initialDelayMs: 1 },
  };
  alicePr = (
    await publishPullRequest({ ...common, token: 'alice-token', githubUsername: 'alice', branchName: 'todo-1', body: `CID: ${CID}` })
  ).prUrl;
  malloryPr = (
    await publishPullRequest({
      ...common,
      token: 'mallory-token',
      githubUsername: 'mallory',
      branchName: 'todo-2',
      body: `CID: ${OTHER_CID}`,
    })
  ).prUrl;
});

afterAll(async () => {
  await s.close();
});

let mark = 0;
beforeEach(() => {
  mark = s.requests.length;
});
const newCalls = () => s.requests.slice(mark).map((r) => `${r.method} ${r.path}`);

const expected = { owner: 'acme', name: 'widgets', githubUsername: 'alice', submissionCid: CID };

function check(overrides: Partial<VerifyPullRequestOptions> & { prUrl?: string } = {}) {
  return verifyPullRequest({ token: AUDITOR, baseUrl: s.apiUrl, prUrl: alicePr, expected, ...overrides } as VerifyPullRequestOptions);
}

describe('verifyPullRequest: passes', () => {
  it('accepts the PR opened by the claimed user against the right repository with the CID in its body', async () => {
    expect(alicePr).toBe(`${s.htmlUrl}/acme/widgets/pull/1`);
    const result = await check();
    expect(result).toEqual({
      ok: true,
      pr: {
        owner: 'acme',
        name: 'widgets',
        number: 1,
        author: 'alice',
        state: 'open',
        headSha: s.branchSha('alice', 'widgets', 'todo-1'),
      },
    });
    expect(newCalls()).toEqual(['GET /repos/acme/widgets/pulls/1']);
    expect(s.requests.at(-1)!.authorization).toBe(`token ${AUDITOR}`);
  });

  it('compares logins and repository names without regard to case, as GitHub does', async () => {
    const result = await check({ expected: { owner: 'ACME', name: 'Widgets', githubUsername: 'Alice', submissionCid: CID } });
    expect(result.ok).toBe(true);
  });

  it('works with a caller-provided Octokit (web base derived from its baseUrl) and with an explicit htmlBaseUrl', async () => {
    const octokit = new Octokit({ auth: AUDITOR, baseUrl: s.apiUrl });
    expect((await verifyPullRequest({ octokit, prUrl: alicePr, expected })).ok).toBe(true);
    expect((await check({ htmlBaseUrl: s.htmlUrl })).ok).toBe(true);
  });

  it('works anonymously for a public repository', async () => {
    const result = await verifyPullRequest({ baseUrl: s.apiUrl, prUrl: alicePr, expected });
    expect(result.ok).toBe(true);
    expect(s.requests.at(-1)!.authorization).toBeUndefined();
  });
});

describe('verifyPullRequest: failures are never a pass', () => {
  it('wrong user: the PR was opened by someone other than the claimed GitHub user', async () => {
    const result = await check({ expected: { ...expected, githubUsername: 'bob' } });
    expect(result).toEqual({ ok: false, code: 'wrong_user', reason: 'PR was opened by alice, expected bob' });
  });

  it("wrong user: a submitter claiming someone else's PR", async () => {
    const result = await check({ prUrl: malloryPr, expected: { ...expected, submissionCid: OTHER_CID } });
    expect(result).toMatchObject({ ok: false, code: 'wrong_user' });
  });

  it('wrong repository in the URL is rejected without calling GitHub', async () => {
    const result = await check({ expected: { ...expected, name: 'gizmos' } });
    expect(result).toEqual({
      ok: false,
      code: 'wrong_repo',
      reason: 'PR URL points at acme/widgets, expected acme/gizmos',
    });
    expect(newCalls()).toEqual([]);
  });

  it('wrong repository per the API: the PR URL redirects to a PR whose base is another repository', async () => {
    const t = await startGitHubStub({ tokens: { 'alice-token': 'alice' } });
    try {
      t.createRepo({ owner: 'acme', name: 'widgets' });
      const { prUrl } = await publishPullRequest({
        token: 'alice-token',
        baseUrl: t.apiUrl,
        upstream: { owner: 'acme', name: 'widgets' },
        githubUsername: 'alice',
        branchName: 'b',
        filePath: 'x.md',
        markdown: 'x',
        title: 't',
        body: CID,
        forkWait: { initialDelayMs: 1 },
      });
      t.renameRepo('acme', 'widgets', 'gadgets');
      const result = await verifyPullRequest({ token: 'alice-token', baseUrl: t.apiUrl, prUrl, expected });
      expect(result).toEqual({ ok: false, code: 'wrong_repo', reason: 'PR targets acme/gadgets, expected acme/widgets' });
      // GitHub answered 301 for the old name; the client followed it.
      expect(t.requests.slice(-2).map((r) => [r.status, r.path])).toEqual([
        [301, '/repos/acme/widgets/pulls/1'],
        [200, expect.stringMatching(/^\/repositories\/\d+\/pulls\/1$/)],
      ]);
    } finally {
      await t.close();
    }
  });

  it('CID missing from the body', async () => {
    const result = await check({ expected: { ...expected, submissionCid: OTHER_CID } });
    expect(result).toEqual({ ok: false, code: 'cid_missing', reason: `PR body does not carry the submission CID ${OTHER_CID}` });
  });

  it('a CID that only appears inside a longer token does not count', async () => {
    const truncated = CID.slice(0, -4);
    const result = await check({ expected: { ...expected, submissionCid: truncated } });
    expect(result).toMatchObject({ ok: false, code: 'cid_missing' });
  });

  it('PR not found (404)', async () => {
    const result = await check({ prUrl: `${s.htmlUrl}/acme/widgets/pull/99` });
    expect(result).toEqual({ ok: false, code: 'pr_not_found', reason: 'PR #99 not found in acme/widgets', status: 404 });
    expect(newCalls()).toEqual(['GET /repos/acme/widgets/pulls/99']);
  });

  it('GitHub API error (500 with a JSON body)', async () => {
    s.fail({ method: 'GET', path: '/repos/acme/widgets/pulls/1', status: 500 });
    const result = await check();
    expect(result).toEqual({ ok: false, code: 'api_error', reason: 'GitHub API error: 500 Server Error', status: 500 });
  });

  it('GitHub API error (502 with an HTML page)', async () => {
    s.fail({
      method: 'GET',
      path: '/repos/acme/widgets/pulls/1',
      status: 502,
      raw: { contentType: 'text/html; charset=utf-8', body: '<html><body>Bad Gateway</body></html>' },
    });
    const result = await check();
    expect(result).toMatchObject({ ok: false, code: 'api_error', status: 502 });
    expect(result.ok === false && result.reason).toContain('Bad Gateway');
  });

  it('rate limited / forbidden (403)', async () => {
    s.fail({ path: '/repos/acme/widgets/pulls/1', status: 403, message: 'API rate limit exceeded for 127.0.0.1.' });
    const result = await check();
    expect(result).toMatchObject({ ok: false, code: 'api_error', status: 403 });
  });

  it('a rejected token (401)', async () => {
    const result = await check({ token: 'stale' });
    expect(result).toEqual({ ok: false, code: 'api_error', reason: 'GitHub API error: 401 Bad credentials', status: 401 });
  });

  it('a response without the fields we rely on', async () => {
    s.fail({
      path: '/repos/acme/widgets/pulls/1',
      status: 200,
      raw: { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ number: 1, html_url: alicePr }) },
    });
    const result = await check();
    expect(result).toMatchObject({ ok: false, code: 'bad_response' });
  });

  it('a timeout', async () => {
    s.fail({ path: '/repos/acme/widgets/pulls/1', hang: true });
    const result = await check({ timeoutMs: 250 });
    expect(result).toEqual({ ok: false, code: 'timeout', reason: 'GitHub did not answer within 250 ms' });
  });

  it('an aborted check', async () => {
    const result = await check({ signal: AbortSignal.abort() });
    expect(result).toMatchObject({ ok: false, code: 'aborted' });
  });

  it('malformed PR URLs are rejected without calling GitHub', async () => {
    const base = s.htmlUrl;
    const bad: unknown[] = [
      '',
      'not a url',
      `${base}/acme/widgets/pull/1/`,
      `${base}/acme/widgets/pull/1/files`,
      `${base}/acme/widgets/pulls/1`,
      `${base}/acme/widgets/issues/1`,
      `${base}/acme/widgets/pull/01`,
      `${base}/acme/widgets/pull/0`,
      `${base}/acme/widgets/pull/-1`,
      `${base}/acme/widgets/pull/1x`,
      `${base}/acme/widgets/pull/99999999999`,
      `${base}/acme/widgets/pull/1?x=1`,
      `${base}/acme/widgets/pull/1?`,
      `${base}/acme/widgets/pull/1#discussion`,
      `${base}/acme/../acme/widgets/pull/1`,
      `${base}/acme%2Fwidgets/pull/1`,
      `${base}/ac_me/widgets/pull/1`,
      `${base}/acme/wid gets/pull/1`,
      ` ${base}/acme/widgets/pull/1`,
      base.replace('http://', 'http://user:pw@') + '/acme/widgets/pull/1',
      base.replace('127.0.0.1', 'localhost') + '/acme/widgets/pull/1',
      'https://github.com/acme/widgets/pull/1', // right shape, wrong host for this deployment
      'javascript:alert(1)',
      42,
      null,
    ];
    for (const prUrl of bad) {
      const result = await check({ prUrl: prUrl as string });
      expect(result, String(prUrl)).toMatchObject({ ok: false, code: 'malformed_url' });
    }
    expect(newCalls()).toEqual([]);
  });

  it('with GitHub.com defaults, only https://github.com/{owner}/{repo}/pull/{n} is accepted', async () => {
    // No API call happens for these: every one fails URL validation first.
    const octokit = new Octokit({ baseUrl: s.apiUrl });
    for (const prUrl of [
      'http://github.com/acme/widgets/pull/1',
      'https://www.github.com/acme/widgets/pull/1',
      'https://GitHub.com/acme/widgets/pull/1',
      'https://github.com:443/acme/widgets/pull/1',
      'https://github.com.evil.example/acme/widgets/pull/1',
    ]) {
      const result = await verifyPullRequest({ octokit, prUrl, expected, htmlBaseUrl: 'https://github.com' });
      expect(result, prUrl).toMatchObject({ ok: false, code: 'malformed_url' });
    }
    expect(newCalls()).toEqual([]);
  });
});
