import { BASE_UNITS_PER_SWARMS } from '../../shared/swarms-units.js';

export { BASE_UNITS_PER_SWARMS };

export interface QueueConfig {
  taskId: string;
  /** How long a claim is valid without a heartbeat. */
  leaseMs: number;
  /** Claims per todo before it is `failed` (DESIGN §4 default 5). */
  maxAttempts: number;
  /** Reward in base units when a todo names none (DESIGN §4: 400 SWARMS). */
  defaultReward: number;
  /** After a reported failure the todo waits this long before its next claim, doubling per attempt up to retryDelayMaxMs (0: no wait). */
  retryDelayMs: number;
  retryDelayMaxMs: number;
}

export const DEFAULT_QUEUE_CONFIG: QueueConfig = {
  taskId: 'swarmtask-local',
  leaseMs: 60_000,
  maxAttempts: 5,
  defaultReward: 400 * BASE_UNITS_PER_SWARMS,
  retryDelayMs: 0,
  retryDelayMaxMs: 600_000,
};
