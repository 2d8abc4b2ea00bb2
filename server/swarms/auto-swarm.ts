import { z } from 'zod';
import type { SwarmType } from '../../shared/swarm-spec.js';
import { chooseSwarmTypeByRules, MODEL_CLASSIFIABLE_TYPES } from './auto-rules.js';
import { CLASSIFIER_SYSTEM, classifierInput } from './prompts.js';
import { builtInAgent } from './roles.js';
import type { AutoChoice } from './types.js';
import type { SwarmTypeModule } from './swarm-type.js';

const Classification = z.object({ swarm_type: z.enum(MODEL_CLASSIFIABLE_TYPES as [SwarmType, ...SwarmType[]]), reason: z.string() });

/**
 * `auto`: the documented rule set (auto-rules.ts) picks the type. When the pick came from task
 * wording (not structure) and the first agent's model is a real one (not offline), that model
 * classifies the task among the eligible types and its choice wins; if that call fails, the
 * rule choice stands and the reason says so. The chosen type then runs; `auto` in the result
 * records the type, why, and who decided.
 */
export const autoSwarm: SwarmTypeModule = {
  /**
   * A lower bound: a structural rule choice is final, so that type's minimum. A wording choice
   * may be replaced by a model's pick, so the least of every type it may pick (each accepts a
   * spec no structural rule matched: 2+ agents, no flow, no special role). The classifier call
   * is left out: it is made only for real models, and the spec does not say which ones serve.
   */
  minimumCalls(spec, minimumOf) {
    const rule = chooseSwarmTypeByRules(spec);
    const candidates = rule.structural ? [rule.type] : MODEL_CLASSIFIABLE_TYPES;
    return Math.min(...candidates.map((type) => minimumOf(spec, type)));
  },

  async run(ctx) {
    const rule = chooseSwarmTypeByRules(ctx.spec);
    let choice: AutoChoice = { chosen_type: rule.type, reason: rule.reason, decided_by: 'rules', rule_choice: rule.type };
    const model = ctx.agents[0]!.model_name;
    if (!rule.structural && ctx.providerOf(model) !== 'offline') {
      const classifier = builtInAgent('Swarm Classifier', 'classifier', CLASSIFIER_SYSTEM, model, ctx.agents);
      try {
        const picked = await ctx.askStructured(
          classifier,
          classifierInput(ctx.spec.task, ctx.agents, MODEL_CLASSIFIABLE_TYPES, rule.type, rule.reason),
          { name: 'swarm_type_choice', description: 'The swarm type for this task and why.', schema: Classification },
          'classifying',
        );
        choice = { chosen_type: picked.swarm_type, reason: picked.reason, decided_by: 'model', rule_choice: rule.type };
      } catch (err) {
        ctx.signal.throwIfAborted();
        choice.reason = `${rule.reason}; model classification failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    ctx.checkSpec(ctx.spec, choice.chosen_type);
    const outcome = await ctx.runSwarmType(choice.chosen_type, ctx.spec);
    return { ...outcome, extras: { ...outcome.extras, auto: choice } };
  },
};
