export { GitHubFlowError, type GitHubFlowStep } from './errors.js';
export {
  publishPullRequest,
  updatePullRequestBody,
  type ForkWaitOptions,
  type PublishedPullRequest,
  type PublishPullRequestOptions,
  type UpdatePullRequestBodyOptions,
} from './publish-pr.js';
export { renderSwarmOutputMarkdown, type SwarmOutputLike } from '../../shared/github/markdown.js';
