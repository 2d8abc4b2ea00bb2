import { SwarmSpecSchema, type SwarmSpec, type SwarmType } from '../../shared/swarm-spec.js';
import { IMAGE_REF_HINT, LlmConfigError, parseImageRef, type ProviderRegistry } from '../llm/index.js';
import { chooseSwarmTypeByRules } from './auto-rules.js';
import { SwarmSpecError } from './errors.js';
import { SWARM_TYPE_MODULES } from './swarm-types.js';

/** Schema validation (types, required fields, defaults). Violations are 422s naming the field. */
export function parseSwarmSpec(input: unknown): SwarmSpec {
  const parsed = SwarmSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const field = issues[0]?.path.join('.') || 'body';
  const message = issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
  throw new SwarmSpecError(message, field, 422);
}

/**
 * Semantic checks before any model call (400s): unique agent names, a usable `img`, the swarm
 * type's own rules (flow grammar, agent counts, …), and — given a registry — that every
 * agent's model can be served (the error names the variable to set) and takes images if needed.
 */
export function checkSwarmSpec(spec: SwarmSpec, type: SwarmType, registry?: ProviderRegistry): void {
  const seen = new Map<string, number>();
  spec.agents.forEach((agent, index) => {
    const first = seen.get(agent.agent_name);
    if (first !== undefined) {
      throw new SwarmSpecError(
        `agents.${index}.agent_name: duplicate agent name "${agent.agent_name}" (also agents.${first}); names address agents, so they must be unique`,
        `agents.${index}.agent_name`,
      );
    }
    seen.set(agent.agent_name, index);
  });
  if (spec.img !== undefined && !parseImageRef(spec.img)) {
    throw new SwarmSpecError(`img must be ${IMAGE_REF_HINT}`, 'img');
  }
  SWARM_TYPE_MODULES[type].validate?.(spec);
  // auto's rule choice is deterministic, so its target type can be checked up front too.
  if (type === 'auto') SWARM_TYPE_MODULES[chooseSwarmTypeByRules(spec).type].validate?.(spec);
  if (!registry) return;
  spec.agents.forEach((agent, index) => {
    const field = `agents.${index}.model_name`;
    let supportsImages: boolean;
    try {
      const resolved = registry.resolve(agent.model_name);
      supportsImages = resolved.provider.supportsImages;
    } catch (err) {
      if (err instanceof LlmConfigError) throw new SwarmSpecError(`${field}: ${err.message}`, field);
      throw err;
    }
    if (spec.img !== undefined && !supportsImages) {
      throw new SwarmSpecError(`img: model "${agent.model_name}" of agent "${agent.agent_name}" does not take image input`, 'img');
    }
  });
}
