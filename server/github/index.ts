export {
  verifyPullRequest,
  type PullRequestCheckCode,
  type VerifiedPullRequest,
  type VerifyPullRequestOptions,
  type VerifyPullRequestResult,
} from './verify-pr.js';
