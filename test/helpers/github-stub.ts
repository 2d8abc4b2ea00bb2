import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that follows GitHub's documented REST responses (docs.github.com/rest,
 * API version 2022-11-28) for exactly the calls swarmtask makes through @octokit/rest. It is
 * laid out like GitHub Enterprise Server: the API under `{url}/api/v3`, web pages (`html_url`)
 * under `{url}`.
 *
 *   GET   /repos/{o}/{r}                          repository (full: with `parent`/`source` for forks)
 *   POST  /repos/{o}/{r}/forks                    202 + the fork (the existing fork when there is one)
 *   GET   /repos/{o}/{r}/git/ref/heads/{branch}   a reference
 *   POST  /repos/{o}/{r}/git/refs                 201; 422 "Reference already exists" / "Object does not exist"
 *   GET   /repos/{o}/{r}/contents/{path}?ref=     a file (base64, wrapped at 60 columns as GitHub does)
 *   PUT   /repos/{o}/{r}/contents/{path}          201 created / 200 updated; 422 sha not supplied; 409 sha mismatch
 *   GET   /repos/{o}/{r}/pulls?state&head&base    list
 *   POST  /repos/{o}/{r}/pulls                    201; 422 Validation Failed (exists / invalid head or base / no commits)
 *   GET   /repos/{o}/{r}/pulls/{n}                one PR
 *   PATCH /repos/{o}/{r}/pulls/{n}                title/body
 *   GET   /repositories/{id}/…                    where a renamed repository's 301 points
 *
 * As on GitHub: JSON bodies with `content-type: application/json; charset=utf-8`, errors as
 * `{message, documentation_url, status}`, `Authorization: token X` or `Bearer X` (an unknown token
 * is 401 "Bad credentials" on every call; writes without one are 401 "Requires authentication"),
 * writes to a repository the caller does not own are 404, and a new fork is created
 * asynchronously: for its first `forkReadyAfterReads` requests it answers 404.
 * Every request is recorded so tests can assert exactly what was called.
 */

export interface StubRequest {
  method: string;
  /** API path with the `/api/v3` prefix removed and percent-decoding applied, e.g. `/repos/a/b/contents/docs/x.md`. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  /** The login the token belongs to (undefined: anonymous or rejected). */
  login: string | undefined;
  body: unknown;
  status: number;
}

export interface StubFault {
  method?: string;
  /** Matched against `StubRequest.path`: a string must be equal, a RegExp must match. */
  path: string | RegExp;
  /** Answer with this status and `{message}` (default message "Server Error"). */
  status?: number;
  message?: string;
  /** Send this raw body and content type instead of JSON (e.g. an HTML 502 page). */
  raw?: { contentType: string; body: string };
  /** Never answer (the connection stays open until the stub closes). */
  hang?: boolean;
  /** How many matching requests the fault applies to (default 1; Infinity for all). */
  times?: number;
}

export interface GitHubStubOptions {
  /** token → login. */
  tokens?: Record<string, string>;
  /** How many requests a new fork answers with 404 before it is usable (default 0). */
  forkReadyAfterReads?: number;
  /** Called after each answered request (e.g. to abort a client at a precise point, without timers). */
  onRequest?: (request: StubRequest) => void;
}

export interface StubPull {
  number: number;
  author: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  headRepo: string;
  headRef: string;
  baseRef: string;
}

export interface GitHubStub {
  /** The server origin; also the web base (`htmlBaseUrl`) of every `html_url`. */
  url: string;
  /** The REST API root to give Octokit as `baseUrl`. */
  apiUrl: string;
  htmlUrl: string;
  requests: StubRequest[];
  /** Requests as `METHOD path` strings, for compact assertions. */
  calls(): string[];
  addUser(login: string, token?: string): void;
  createRepo(spec: { owner: string; name: string; defaultBranch?: string; files?: Record<string, string> }): {
    fullName: string;
    headSha: string;
  };
  /** Pushes a commit changing `files` on `branch` (moves the branch head), as someone's `git push` would. */
  pushCommit(owner: string, name: string, branch: string, files: Record<string, string>, message?: string): string;
  /** Renames a repository; its old API paths answer 301 to `/repositories/{id}/…` as GitHub's do. */
  renameRepo(owner: string, name: string, newName: string): void;
  hasRepo(owner: string, name: string): boolean;
  repoInfo(owner: string, name: string): { fullName: string; fork: boolean; parent: string | undefined } | undefined;
  branchSha(owner: string, name: string, branch: string): string | undefined;
  fileAt(owner: string, name: string, branch: string, path: string): string | undefined;
  /** Number of commits reachable from a branch head. */
  commitCount(owner: string, name: string, branch: string): number;
  pulls(owner: string, name: string): StubPull[];
  fail(fault: StubFault): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';
const FIXED_TIME = '2024-01-01T00:00:00Z';

interface Commit {
  sha: string;
  tree: Map<string, Buffer>;
  parent: string | null;
  message: string;
  author: string;
}

interface Repo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  fork: boolean;
  parentId: number | undefined;
  refs: Map<string, string>;
  pulls: StubPull[];
  nextNumber: number;
  /** Requests left that see 404 while GitHub is still copying the fork. */
  notReadyFor: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const notFound = (docs = DOCS) => new HttpError(404, 'Not Found', { documentation_url: docs });
const validationFailed = (errors: unknown[], docs: string) =>
  new HttpError(422, 'Validation Failed', { errors, documentation_url: docs });

function gitBlobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** GitHub wraps base64 file content at 60 characters with `\n`. */
function wrapBase64(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  return (b64.match(/.{1,60}/g) ?? ['']).join('\n') + '\n';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function startGitHubStub(options: GitHubStubOptions = {}): Promise<GitHubStub> {
  const tokens = new Map(Object.entries(options.tokens ?? {}));
  const users = new Map<string, { login: string; id: number }>();
  const repos = new Map<string, Repo>(); // lower-case full name → repo
  const reposById = new Map<number, Repo>();
  const renamed = new Map<string, number>(); // old lower-case full name → repo id
  const commits = new Map<string, Commit>(); // the fork network's shared object store
  const faults: Array<StubFault & { left: number }> = [];
  const requests: StubRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let nextId = 1000;
  let commitCounter = 0;
  let requestCounter = 0;
  let origin = '';
  const api = () => `${origin}/api/v3`;

  const key = (owner: string, name: string) => `${owner}/${name}`.toLowerCase();
  const fullName = (r: Repo) => `${r.owner}/${r.name}`;

  function addUser(login: string, token?: string): void {
    if (!users.has(login.toLowerCase())) users.set(login.toLowerCase(), { login, id: nextId++ });
    if (token) tokens.set(token, login);
  }
  for (const login of tokens.values()) addUser(login);

  function userJson(login: string) {
    const u = users.get(login.toLowerCase()) ?? { login, id: 0 };
    return {
      login: u.login,
      id: u.id,
      node_id: `U_${u.id}`,
      avatar_url: `${origin}/avatars/${u.login}`,
      html_url: `${origin}/${u.login}`,
      url: `${api()}/users/${u.login}`,
      type: 'User',
      site_admin: false,
    };
  }

  function makeCommit(parent: string | null, tree: Map<string, Buffer>, message: string, author: string): string {
    commitCounter += 1;
    const sha = createHash('sha1').update(`commit ${commitCounter}\0${parent ?? ''}\0${message}`).digest('hex');
    commits.set(sha, { sha, tree, parent, message, author });
    return sha;
  }

  function newRepo(owner: string, name: string, defaultBranch: string, fork: boolean, parentId?: number): Repo {
    addUser(owner);
    const repo: Repo = {
      id: nextId++,
      owner,
      name,
      defaultBranch,
      fork,
      parentId,
      refs: new Map(),
      pulls: [],
      nextNumber: 1,
      notReadyFor: 0,
    };
    repos.set(key(owner, name), repo);
    reposById.set(repo.id, repo);
    return repo;
  }

  function repoJson(r: Repo, full: boolean): Record<string, unknown> {
    const json: Record<string, unknown> = {
      id: r.id,
      node_id: `R_${r.id}`,
      name: r.name,
      full_name: fullName(r),
      private: false,
      owner: userJson(r.owner),
      html_url: `${origin}/${fullName(r)}`,
      description: null,
      fork: r.fork,
      url: `${api()}/repos/${fullName(r)}`,
      default_branch: r.defaultBranch,
      visibility: 'public',
      created_at: FIXED_TIME,
      updated_at: FIXED_TIME,
      pushed_at: FIXED_TIME,
    };
    if (full && r.fork && r.parentId !== undefined) {
      const parent = reposById.get(r.parentId)!;
      let source = parent;
      while (source.fork && source.parentId !== undefined) source = reposById.get(source.parentId)!;
      json.parent = repoJson(parent, false);
      json.source = repoJson(source, false);
    }
    return json;
  }

  function refJson(r: Repo, branch: string, sha: string) {
    return {
      ref: `refs/heads/${branch}`,
      node_id: `REF_${r.id}_${branch}`,
      url: `${api()}/repos/${fullName(r)}/git/refs/heads/${branch}`,
      object: { sha, type: 'commit', url: `${api()}/repos/${fullName(r)}/git/commits/${sha}` },
    };
  }

  function fileJson(r: Repo, path: string, bytes: Buffer, withContent: boolean, ref: string) {
    const sha = gitBlobSha(bytes);
    const name = path.split('/').pop()!;
    const url = `${api()}/repos/${fullName(r)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
    return {
      type: 'file',
      ...(withContent ? { encoding: 'base64', content: wrapBase64(bytes) } : {}),
      size: bytes.length,
      name,
      path,
      sha,
      url,
      git_url: `${api()}/repos/${fullName(r)}/git/blobs/${sha}`,
      html_url: `${origin}/${fullName(r)}/blob/${ref}/${path}`,
      download_url: `${origin}/raw/${fullName(r)}/${ref}/${path}`,
      _links: { self: url, git: `${api()}/repos/${fullName(r)}/git/blobs/${sha}`, html: `${origin}/${fullName(r)}/blob/${ref}/${path}` },
    };
  }

  function pullJson(r: Repo, p: StubPull) {
    const headRepo = repos.get(p.headRepo.toLowerCase());
    const headSha = headRepo?.refs.get(p.headRef) ?? '0'.repeat(40);
    const baseSha = r.refs.get(p.baseRef) ?? '0'.repeat(40);
    const base = `${api()}/repos/${fullName(r)}`;
    return {
      url: `${base}/pulls/${p.number}`,
      id: r.id * 10_000 + p.number,
      node_id: `PR_${r.id}_${p.number}`,
      html_url: `${origin}/${fullName(r)}/pull/${p.number}`,
      diff_url: `${origin}/${fullName(r)}/pull/${p.number}.diff`,
      patch_url: `${origin}/${fullName(r)}/pull/${p.number}.patch`,
      issue_url: `${base}/issues/${p.number}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: userJson(p.author),
      body: p.body,
      created_at: FIXED_TIME,
      updated_at: FIXED_TIME,
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      draft: p.draft,
      head: {
        label: `${headRepo?.owner ?? p.headRepo.split('/')[0]}:${p.headRef}`,
        ref: p.headRef,
        sha: headSha,
        user: userJson(headRepo?.owner ?? p.author),
        repo: headRepo ? repoJson(headRepo, false) : null,
      },
      base: { label: `${r.owner}:${p.baseRef}`, ref: p.baseRef, sha: baseSha, user: userJson(r.owner), repo: repoJson(r, false) },
      author_association: 'CONTRIBUTOR',
      maintainer_can_modify: true,
    };
  }

  function requireRepo(owner: string, name: string, docs: string): Repo {
    const r = repos.get(key(owner, name));
    if (!r) {
      const id = renamed.get(key(owner, name));
      if (id !== undefined) throw new HttpError(301, 'Moved Permanently', { url: `${api()}/repositories/${id}` });
      throw notFound(docs);
    }
    if (r.notReadyFor > 0) {
      r.notReadyFor -= 1;
      throw notFound(docs);
    }
    return r;
  }

  function requireLogin(login: string | undefined, docs: string): string {
    if (!login) throw new HttpError(401, 'Requires authentication', { documentation_url: docs });
    return login;
  }

  /** GitHub hides repositories you cannot push to behind 404 on writes. */
  function requirePush(r: Repo, login: string, docs: string): void {
    if (r.owner.toLowerCase() !== login.toLowerCase()) throw notFound(docs);
  }

  function forkOf(upstream: Repo, login: string): Repo | undefined {
    for (const r of repos.values()) {
      if (r.fork && r.parentId === upstream.id && r.owner.toLowerCase() === login.toLowerCase()) return r;
    }
    return undefined;
  }

  /** Repos of the same fork network (the same root). */
  function rootOf(r: Repo): Repo {
    let x = r;
    while (x.fork && x.parentId !== undefined) x = reposById.get(x.parentId)!;
    return x;
  }

  type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

  function route(method: string, path: string, query: Record<string, string>, body: unknown, login: string | undefined): Reply {
    const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
    if (byId) {
      const r = reposById.get(Number(byId[1]));
      if (!r) throw notFound();
      return route(method, `/repos/${fullName(r)}${byId[2] ?? ''}`, query, body, login);
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (!m) throw notFound();
    const [, owner, name, restRaw] = m as unknown as [string, string, string, string | undefined];
    const rest = restRaw ?? '';

    // GET /repos/{owner}/{repo}
    if (rest === '' && method === 'GET') {
      const docs = `${DOCS}/repos/repos#get-a-repository`;
      return { status: 200, body: repoJson(requireRepo(owner, name, docs), true) };
    }

    // POST /repos/{owner}/{repo}/forks
    if (rest === 'forks' && method === 'POST') {
      const docs = `${DOCS}/repos/forks#create-a-fork`;
      const upstream = requireRepo(owner, name, docs);
      const user = requireLogin(login, docs);
      if (upstream.owner.toLowerCase() === user.toLowerCase()) {
        throw new HttpError(403, 'Cannot fork a repository into the account that owns it', { documentation_url: docs });
      }
      const existing = forkOf(upstream, user);
      if (existing) return { status: 202, body: repoJson(existing, true) };
      const b = isObject(body) ? body : {};
      const wanted = typeof b.name === 'string' ? b.name : upstream.name;
      let forkName = wanted;
      for (let i = 1; repos.has(key(user, forkName)); i++) forkName = `${wanted}-${i}`;
      const fork = newRepo(user, forkName, upstream.defaultBranch, true, upstream.id);
      for (const [branch, sha] of upstream.refs) {
        if (b.default_branch_only === true && branch !== upstream.defaultBranch) continue;
        fork.refs.set(branch, sha);
      }
      fork.notReadyFor = options.forkReadyAfterReads ?? 0;
      return { status: 202, body: repoJson(fork, true) };
    }

    // GET /repos/{owner}/{repo}/git/ref/{ref}
    const getRef = /^git\/ref\/(.+)$/.exec(rest);
    if (getRef && method === 'GET') {
      const docs = `${DOCS}/git/refs#get-a-reference`;
      const r = requireRepo(owner, name, docs);
      const ref = getRef[1]!;
      const branch = ref.startsWith('heads/') ? ref.slice('heads/'.length) : undefined;
      const sha = branch !== undefined ? r.refs.get(branch) : undefined;
      if (branch === undefined || sha === undefined) throw notFound(docs);
      return { status: 200, body: refJson(r, branch, sha) };
    }

    // POST /repos/{owner}/{repo}/git/refs
    if (rest === 'git/refs' && method === 'POST') {
      const docs = `${DOCS}/git/refs#create-a-reference`;
      const r = requireRepo(owner, name, docs);
      requirePush(r, requireLogin(login, docs), docs);
      const b = isObject(body) ? body : {};
      const ref = b.ref;
      const sha = b.sha;
      if (typeof ref !== 'string' || typeof sha !== 'string') {
        throw new HttpError(422, 'Invalid request.\n\n"ref" and "sha" are required.', { documentation_url: docs });
      }
      if (!ref.startsWith('refs/') || ref.split('/').length < 3) {
        throw new HttpError(422, 'Reference name must start with \'refs/\' and have at least two slashes.', {
          documentation_url: docs,
        });
      }
      if (!ref.startsWith('refs/heads/')) throw new HttpError(422, 'Stub supports branch references only', { documentation_url: docs });
      const branch = ref.slice('refs/heads/'.length);
      const commit = commits.get(sha);
      if (!commit || rootOf(reposForSha(sha)) !== rootOf(r)) {
        throw new HttpError(422, 'Object does not exist', { documentation_url: docs });
      }
      if (r.refs.has(branch)) throw new HttpError(422, 'Reference already exists', { documentation_url: docs });
      r.refs.set(branch, sha);
      return {
        status: 201,
        body: refJson(r, branch, sha),
        headers: { location: `${api()}/repos/${fullName(r)}/git/refs/heads/${branch}` },
      };
    }

    // GET|PUT /repos/{owner}/{repo}/contents/{path}
    const contents = /^contents\/(.+)$/.exec(rest);
    if (contents && (method === 'GET' || method === 'PUT')) {
      const path = contents[1]!;
      if (method === 'GET') {
        const docs = `${DOCS}/repos/contents#get-repository-content`;
        const r = requireRepo(owner, name, docs);
        const ref = query.ref ?? r.defaultBranch;
        const sha = r.refs.get(ref) ?? (commits.has(ref) ? ref : undefined);
        if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`, { documentation_url: docs });
        const bytes = commits.get(sha)!.tree.get(path);
        if (!bytes) throw notFound(docs);
        return { status: 200, body: fileJson(r, path, bytes, true, ref) };
      }
      const docs = `${DOCS}/repos/contents#create-or-update-file-contents`;
      const r = requireRepo(owner, name, docs);
      const user = requireLogin(login, docs);
      requirePush(r, user, docs);
      const b = isObject(body) ? body : {};
      for (const field of ['message', 'content']) {
        if (typeof b[field] !== 'string') {
          throw new HttpError(422, `Invalid request.\n\n"${field}" wasn't supplied.`, { documentation_url: docs });
        }
      }
      const content = b.content as string;
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) {
        throw new HttpError(422, 'content is not valid Base64', { documentation_url: docs });
      }
      const branch = typeof b.branch === 'string' ? b.branch : r.defaultBranch;
      const head = r.refs.get(branch);
      if (!head) throw new HttpError(404, `Branch ${branch} not found`, { documentation_url: docs });
      const tree = new Map(commits.get(head)!.tree);
      const existing = tree.get(path);
      if (existing) {
        if (typeof b.sha !== 'string') {
          throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', { documentation_url: docs });
        }
        if (b.sha !== gitBlobSha(existing)) throw new HttpError(409, `${path} does not match ${b.sha}`, { documentation_url: docs });
      }
      const bytes = Buffer.from(content, 'base64');
      tree.set(path, bytes);
      const sha = makeCommit(head, tree, b.message as string, user);
      r.refs.set(branch, sha);
      const person = { name: user, email: `${user}@users.noreply.example`, date: FIXED_TIME };
      return {
        status: existing ? 200 : 201,
        body: {
          content: fileJson(r, path, bytes, false, branch),
          commit: {
            sha,
            node_id: `C_${sha}`,
            url: `${api()}/repos/${fullName(r)}/git/commits/${sha}`,
            html_url: `${origin}/${fullName(r)}/commit/${sha}`,
            author: person,
            committer: person,
            message: b.message,
            tree: { sha: createHash('sha1').update(sha).digest('hex'), url: `${api()}/repos/${fullName(r)}/git/trees/x` },
            parents: [{ sha: head, url: `${api()}/repos/${fullName(r)}/git/commits/${head}`, html_url: `${origin}/${fullName(r)}/commit/${head}` }],
            verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
          },
        },
      };
    }

    // GET|POST /repos/{owner}/{repo}/pulls
    if (rest === 'pulls' && method === 'GET') {
      const docs = `${DOCS}/pulls/pulls#list-pull-requests`;
      const r = requireRepo(owner, name, docs);
      const state = query.state ?? 'open';
      const list = r.pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => {
          if (!query.head) return true;
          const [u, ref] = query.head.includes(':') ? query.head.split(/:(.*)/s) : [r.owner, query.head];
          const headRepo = repos.get(p.headRepo.toLowerCase());
          return headRepo?.owner.toLowerCase() === u!.toLowerCase() && p.headRef === ref;
        })
        .filter((p) => !query.base || p.baseRef === query.base)
        .sort((a, b) => b.number - a.number);
      const perPage = Math.min(100, Number(query.per_page ?? 30));
      const page = Math.max(1, Number(query.page ?? 1));
      return { status: 200, body: list.slice((page - 1) * perPage, page * perPage).map((p) => pullJson(r, p)) };
    }
    if (rest === 'pulls' && method === 'POST') {
      const docs = `${DOCS}/pulls/pulls#create-a-pull-request`;
      const r = requireRepo(owner, name, docs);
      const user = requireLogin(login, docs);
      const b = isObject(body) ? body : {};
      for (const field of ['title', 'head', 'base']) {
        if (typeof b[field] !== 'string' || !b[field]) {
          throw validationFailed([{ resource: 'PullRequest', code: 'missing_field', field }], docs);
        }
      }
      const headSpec = b.head as string;
      const baseRef = b.base as string;
      const [headOwner, headRef] = headSpec.includes(':') ? (headSpec.split(/:(.*)/s) as [string, string]) : [r.owner, headSpec];
      const headRepo =
        headOwner.toLowerCase() === r.owner.toLowerCase()
          ? r
          : [...repos.values()].find((x) => x.owner.toLowerCase() === headOwner.toLowerCase() && rootOf(x) === rootOf(r) && x !== r);
      const headSha = headRepo?.refs.get(headRef);
      if (!headRepo || !headSha) throw validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }], docs);
      const baseSha = r.refs.get(baseRef);
      if (!baseSha) throw validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], docs);
      const label = `${headRepo.owner}:${headRef}`;
      const dup = r.pulls.find(
        (p) => p.state === 'open' && p.headRepo.toLowerCase() === fullName(headRepo).toLowerCase() && p.headRef === headRef && p.baseRef === baseRef,
      );
      if (dup) {
        throw validationFailed([{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${label}.` }], docs);
      }
      if (headSha === baseSha) {
        throw validationFailed([{ resource: 'PullRequest', code: 'custom', message: `No commits between ${baseRef} and ${label}` }], docs);
      }
      const pull: StubPull = {
        number: r.nextNumber++,
        author: users.get(user.toLowerCase())?.login ?? user,
        title: b.title as string,
        body: typeof b.body === 'string' ? b.body : null,
        state: 'open',
        draft: b.draft === true,
        headRepo: fullName(headRepo),
        headRef,
        baseRef,
      };
      r.pulls.push(pull);
      return { status: 201, body: pullJson(r, pull), headers: { location: `${api()}/repos/${fullName(r)}/pulls/${pull.number}` } };
    }

    // GET|PATCH /repos/{owner}/{repo}/pulls/{number}
    const one = /^pulls\/(\d+)$/.exec(rest);
    if (one && (method === 'GET' || method === 'PATCH')) {
      const docs = method === 'GET' ? `${DOCS}/pulls/pulls#get-a-pull-request` : `${DOCS}/pulls/pulls#update-a-pull-request`;
      const r = requireRepo(owner, name, docs);
      const pull = r.pulls.find((p) => p.number === Number(one[1]));
      if (!pull) throw notFound(docs);
      if (method === 'PATCH') {
        const user = requireLogin(login, docs);
        if (user.toLowerCase() !== pull.author.toLowerCase() && user.toLowerCase() !== r.owner.toLowerCase()) {
          throw new HttpError(403, 'Must have push access to update this pull request', { documentation_url: docs });
        }
        const b = isObject(body) ? body : {};
        if (typeof b.title === 'string') pull.title = b.title;
        if (typeof b.body === 'string') pull.body = b.body;
        if (b.state === 'open' || b.state === 'closed') pull.state = b.state;
      }
      return { status: 200, body: pullJson(r, pull) };
    }

    throw notFound();
  }

  /** The repo whose history introduced a commit (any repo of its network will do for `rootOf`). */
  function reposForSha(sha: string): Repo {
    for (const r of repos.values()) {
      for (const head of r.refs.values()) {
        for (let c: string | null = head; c; c = commits.get(c)?.parent ?? null) if (c === sha) return r;
      }
    }
    // Unreferenced commit: belongs to no network.
    return { id: -1 } as Repo;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    requestCounter += 1;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'x-github-request-id': `STUB:${requestCounter}`,
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(0, 5000 - requestCounter)),
      'x-ratelimit-resource': 'core',
      ...headers,
    });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stub');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const query = Object.fromEntries(url.searchParams);
    const authorization = req.headers.authorization;
    const record: StubRequest = {
      method,
      path: url.pathname,
      query,
      authorization,
      login: undefined,
      body: undefined,
      status: 0,
    };
    requests.push(record);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(res, status, body, headers);
      options.onRequest?.(record);
    };

    if (!url.pathname.startsWith('/api/v3/')) return reply(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    let path: string;
    try {
      path = url.pathname.slice('/api/v3'.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      return reply(400, { message: 'Bad Request', status: '400' });
    }
    record.path = path;
    if (raw) {
      try {
        record.body = JSON.parse(raw);
      } catch {
        return reply(400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' });
      }
    }

    if (authorization !== undefined) {
      const m = /^(?:token|bearer) (\S+)$/i.exec(authorization);
      const login = m ? tokens.get(m[1]!) : undefined;
      if (!login) return reply(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
      record.login = login;
    }

    const fault = faults.find(
      (f) => f.left > 0 && (!f.method || f.method === method) && (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (fault) {
      fault.left -= 1;
      if (fault.hang) {
        record.status = -1;
        hanging.add(res);
        return;
      }
      const status = fault.status ?? 500;
      if (fault.raw) {
        record.status = status;
        res.writeHead(status, { 'content-type': fault.raw.contentType, 'x-github-request-id': 'STUB:raw' });
        res.end(fault.raw.body);
        options.onRequest?.(record);
        return;
      }
      return reply(status, { message: fault.message ?? 'Server Error', documentation_url: DOCS, status: String(status) });
    }

    try {
      const out = route(method, path, query, record.body, record.login);
      reply(out.status, out.body, out.headers);
    } catch (err) {
      if (err instanceof HttpError) {
        const headers = { ...err.headers };
        if (err.status === 301 && typeof err.extra.url === 'string') {
          // GitHub's redirect for a renamed repository keeps the rest of the path.
          const m = /^\/repos\/[^/]+\/[^/]+(\/.*)?$/.exec(path);
          const target = `${err.extra.url}${m?.[1] ?? ''}${url.search}`;
          headers.location = target;
          return reply(301, { message: err.message, url: target, documentation_url: `${DOCS}/guides/best-practices-for-using-the-rest-api#follow-redirects` }, headers);
        }
        return reply(err.status, { message: err.message, ...err.extra, status: String(err.status) }, headers);
      }
      reply(500, { message: err instanceof Error ? err.message : 'Server Error', status: '500' });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { message: String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const stub: GitHubStub = {
    get url() {
      return origin;
    },
    get apiUrl() {
      return api();
    },
    get htmlUrl() {
      return origin;
    },
    requests,
    calls: () => requests.map((r) => `${r.method} ${r.path}`),
    addUser,
    createRepo({ owner, name, defaultBranch = 'main', files = { 'README.md': `# ${name}\n` } }) {
      const r = newRepo(owner, name, defaultBranch, false);
      const tree = new Map(Object.entries(files).map(([p, c]) => [p, Buffer.from(c, 'utf8')]));
      const sha = makeCommit(null, tree, 'Initial commit', owner);
      r.refs.set(defaultBranch, sha);
      return { fullName: fullName(r), headSha: sha };
    },
    pushCommit(owner, name, branch, files, message = 'Update') {
      const r = repos.get(key(owner, name));
      if (!r) throw new Error(`no repo ${owner}/${name}`);
      const head = r.refs.get(branch) ?? null;
      const tree = new Map(head ? commits.get(head)!.tree : []);
      for (const [p, c] of Object.entries(files)) tree.set(p, Buffer.from(c, 'utf8'));
      const sha = makeCommit(head, tree, message, owner);
      r.refs.set(branch, sha);
      return sha;
    },
    renameRepo(owner, name, newName) {
      const r = repos.get(key(owner, name));
      if (!r) throw new Error(`no repo ${owner}/${name}`);
      repos.delete(key(owner, name));
      r.name = newName;
      repos.set(key(owner, newName), r);
      renamed.set(key(owner, name), r.id);
      for (const other of repos.values()) {
        for (const p of other.pulls) if (p.headRepo.toLowerCase() === key(owner, name)) p.headRepo = fullName(r);
      }
    },
    hasRepo: (owner, name) => repos.has(key(owner, name)),
    repoInfo(owner, name) {
      const r = repos.get(key(owner, name));
      if (!r) return undefined;
      const parent = r.parentId !== undefined ? reposById.get(r.parentId) : undefined;
      return { fullName: fullName(r), fork: r.fork, parent: parent ? fullName(parent) : undefined };
    },
    branchSha: (owner, name, branch) => repos.get(key(owner, name))?.refs.get(branch),
    fileAt(owner, name, branch, path) {
      const sha = repos.get(key(owner, name))?.refs.get(branch);
      const bytes = sha ? commits.get(sha)?.tree.get(path) : undefined;
      return bytes?.toString('utf8');
    },
    commitCount(owner, name, branch) {
      let n = 0;
      for (let c = repos.get(key(owner, name))?.refs.get(branch) ?? null; c; c = commits.get(c)?.parent ?? null) n++;
      return n;
    },
    pulls: (owner, name) => (repos.get(key(owner, name))?.pulls ?? []).map((p) => ({ ...p })),
    fail(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    async close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return stub;
}
