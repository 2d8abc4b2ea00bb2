import { SWARM_TYPES } from '../../shared/swarm-spec.js';
import type { ProviderRegistry } from '../llm/index.js';

export function availableSwarmTypes(): string[] {
  return [...SWARM_TYPES];
}

/** Priced models plus how names route (model map, configured providers). */
export function availableModels(providers: ProviderRegistry) {
  const described = providers.describe();
  return { models: described.pricedModels, modelMap: described.modelMap, providers: described.providers };
}
