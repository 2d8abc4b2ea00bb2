/**
 * Rewards for one round, in integer base units. Without a cap (0) each approved submission earns
 * its todo's reward; over the cap every reward is scaled by cap/total, rounded down (BigInt, so
 * products of large amounts stay exact). The sum never exceeds the cap.
 */
export function splitRewards(items: { key: string; reward: number }[], cap: number): number[] {
  const total = items.reduce((sum, item) => sum + BigInt(item.reward), 0n);
  if (cap <= 0 || total <= BigInt(cap)) return items.map((item) => item.reward);
  return items.map((item) => Number((BigInt(item.reward) * BigInt(cap)) / total));
}
