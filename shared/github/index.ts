export {
  GITHUB_API_BASE_URL,
  GITHUB_HTML_BASE_URL,
  formatPullRequestUrl,
  htmlBaseUrlForApi,
  isValidOwner,
  isValidRepoName,
  parsePullRequestUrl,
  sameGitHubName,
  type ParsePullRequestUrlResult,
  type PullRequestRef,
  type RepoRef,
} from './pr-url.js';
export {
  createGitHubClient,
  describeGitHubError,
  formatGitHubError,
  requestSignal,
  resolveOctokit,
  SWARMTASK_USER_AGENT,
  type GitHubConnection,
  type GitHubErrorInfo,
} from './octokit.js';
export { bodyCarriesCid } from './pr-body.js';
export {
  renderSwarmOutputMarkdown,
  type SwarmOutputLike,
  type SwarmOutputMessageLike,
  type SwarmUsageLike,
} from './markdown.js';
