import type { Command } from 'commander';
import { describeServerConfig } from '../../../server/config.js';
import { globalOptions, serverConfigOverrides, withConfigErrors } from '../context.js';
import { isSecretVariable, OTHER_VARIABLES, unknownVariables } from '../environment.js';
import { emit, table } from '../output.js';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('the settings swarmtask server would start with in this environment (value, and whether from a flag, the environment or the default), and the other variables swarmtask reads that are set (keys and tokens hidden)')
    .action((_: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const settings = withConfigErrors(() => describeServerConfig(process.env, serverConfigOverrides(options))).map((setting) =>
        isSecretVariable(setting.variable) && setting.value !== undefined ? { ...setting, value: '(set, hidden)' } : setting,
      );
      const others = Object.entries(OTHER_VARIABLES)
        .filter(([name]) => process.env[name])
        .map(([variable, about]) => ({ variable, value: isSecretVariable(variable) ? '(set, hidden)' : process.env[variable]!, about }));
      const unknown = unknownVariables(process.env);
      emit(options.json === true, { settings, others, unknown }, () =>
        [
          'coordinator settings (what swarmtask server would start with here, before its own flags)',
          indent(table(settings.map((s) => ({ variable: s.variable, value: s.value === undefined ? '(unset)' : String(s.value), from: s.source })), ['variable', 'value', 'from'])),
          ...(others.length ? ['', 'other variables swarmtask reads, set here', indent(table(others, ['variable', 'value', 'about']))] : []),
          ...(unknown.length ? ['', `not swarmtask variables (ignored): ${unknown.map((u) => u.name).join(', ')}`] : []),
        ].join('\n'),
      );
    });
}

const indent = (text: string) => text.replace(/^/gm, '  ');
