/** What a `todo.available` event tells workers: enough to decide whether to claim, no secrets. */
export interface AvailableEventData {
  todoId: number;
  priority: number;
  reward: number | null;
  swarmType: string | null;
}

export function availableEventData(
  todo: { priority: number; reward?: number | null; spec: { swarm_type?: string | undefined } },
  todoId: number,
): AvailableEventData {
  return {
    todoId,
    priority: todo.priority,
    reward: todo.reward ?? null,
    swarmType: todo.spec.swarm_type ?? null,
  };
}
