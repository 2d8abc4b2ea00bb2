import { DEFAULT_SWARM_TYPE } from '../../shared/swarm-spec.js';

/**
 * The swarm-type and repository conditions that listing and bulk cancelling share, with their
 * parameters: a spec without swarm_type counts as the type it runs as.
 */
export const TYPE_AND_REPO_CONDITIONS = `
  (@swarmType IS NULL OR coalesce(swarm_type, '${DEFAULT_SWARM_TYPE}') = @swarmType)
  AND (@repoOwner IS NULL OR (repo_owner = @repoOwner AND repo_name = @repoName))`;

export function typeAndRepoParams(filter: { swarmType?: string | undefined; repo?: string | undefined }): {
  swarmType: string | null;
  repoOwner: string | null;
  repoName: string | null;
} {
  const [repoOwner, repoName] = filter.repo ? filter.repo.split('/') : [];
  return { swarmType: filter.swarmType ?? null, repoOwner: repoOwner ?? null, repoName: repoName ?? null };
}
