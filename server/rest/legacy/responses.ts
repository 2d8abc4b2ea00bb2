/**
 * Responses of the legacy Koii REST face, worded exactly as the upstream middle server words them
 * (reference koii-upstream.md §1.3): `{success, message}` bodies, 401 for every auth failure.
 */
export interface LegacyResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const MESSAGES = {
  invalidBody: 'Invalid request body',
  badSignature: 'Failed to verify signature',
  invalidStakingKey: 'Invalid staking key',
  taskAlreadyCompleted: 'Task already completed',
  noTodos: 'No available todos found',
  fetchFailed: 'Failed to fetch todos',
  prUpdated: 'PR URL updated',
  prUpdateFailed: 'Failed to update PR URL',
  roundAdded: 'Round number added',
  roundFailed: 'Failed to add round number',
  statusUpdated: 'Status updated',
  statusFailed: 'Failed to update status',
  assignmentVerified: 'Todo assignment verified successfully',
  noAssignment: 'No matching todo assignment found',
  failedInfoAdded: 'Failed info added',
  failedInfoExists: 'Failed info already exists',
  failedInfoError: 'Failed to add error information',
  // Not upstream (it had neither limit): our own wording, same shape.
  tooLarge: 'Request body too large',
  rateLimited: 'Too many requests',
  internal: 'Internal server error',
} as const;

export function failure(status: number, message: string): LegacyResponse {
  return { status, body: { success: false, message } };
}

export function success(body: Record<string, unknown>): LegacyResponse {
  return { status: 200, body: { success: true, ...body } };
}
