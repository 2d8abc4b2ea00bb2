export interface AuthConfig {
  /** Signed payloads must carry this task id. */
  taskId: string;
  /** Accepted clock skew of signed timestamps, each way. */
  signatureWindowMs: number;
  /** Minimum stake, in base units, for a staking key to be served (checked fail-closed). */
  minStake: number;
}

export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  taskId: 'swarmtask-local',
  signatureWindowMs: 120_000,
  minStake: 1_000_000_000,
};
