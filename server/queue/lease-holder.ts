/** Who presents a lease: the token proves the claim, the key proves it is the claimer's. */
export interface LeaseHolder {
  stakingKey: string;
}

export interface LeaseRef {
  todoId: number;
  leaseToken: string;
}

/** Compare-and-swap guard used by every statement that names a lease. */
export const LEASE_MATCHES = `id = @todoId AND lease_token = @leaseToken AND holder_key = @stakingKey AND status = 'in_progress'`;
