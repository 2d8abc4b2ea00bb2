/** What a `todo.available` event tells workers: enough to decide whether to claim, no secrets. */
export interface AvailableEventData {
  todoId: number;
  priority: number;
  reward: number;
  swarmType: string | null;
}

export function availableEventData(
  todo: { priority: number; reward: number; spec: { swarm_type?: string | undefined } },
  todoId: number,
): AvailableEventData {
  return {
    todoId,
    priority: todo.priority,
    reward: todo.reward,
    swarmType: todo.spec.swarm_type ?? null,
  };
}
