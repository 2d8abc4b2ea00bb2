import type { Command } from 'commander';
import { globalOptions, serverConfigFrom } from '../context.js';
import { CliError, emit } from '../output.js';

/**
 * `swarmtask webhook ping`: sends one signed test delivery (a `webhook.ping` event) to the
 * webhook the coordinator would use here, as it would send it, and says how the receiver
 * answered: for setting a receiver up without waiting for real events.
 */
export function registerWebhookCommands(program: Command): void {
  const webhook = program.command('webhook').description("the coordinator's webhook (SWARMTASK_WEBHOOK_URL)");
  webhook
    .command('ping')
    .description('send one signed test delivery (event webhook.ping) to the webhook and say how the receiver answered (exit 1 if not 2xx)')
    .option('--url <url>', 'send here instead of SWARMTASK_WEBHOOK_URL (signed with SWARMTASK_WEBHOOK_SECRET all the same)')
    .action(async (flags: { url?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      if (flags.url !== undefined && !/^https?:\/\/./.test(flags.url)) throw new CliError(`--url must be an http:// or https:// URL, got "${flags.url}"`, 2);
      const config = serverConfigFrom(options, flags.url === undefined ? {} : { webhookUrl: flags.url });
      if (!config.webhookUrl) throw new CliError('no webhook to ping: set SWARMTASK_WEBHOOK_URL or pass --url', 2);
      const { postEvents } = await import('../../../server/webhooks/post-events.js');
      const now = Date.now();
      const event = { id: 0, type: 'webhook.ping', todoId: null, data: { message: 'a test delivery from swarmtask webhook ping' }, createdAt: now };
      const target = { url: config.webhookUrl, secret: config.webhookSecret, taskId: config.taskId, timeoutMs: config.webhookTimeoutMs };
      const started = performance.now();
      let error: string | null = null;
      try {
        await postEvents(target, [event], new AbortController().signal, now);
      } catch (caught) {
        error = (caught as Error).message;
      }
      const ms = Math.round(performance.now() - started);
      const signed = Boolean(config.webhookSecret);
      emit(options.json === true, { url: config.webhookUrl, ok: error === null, error, ms, signed }, () =>
        error === null
          ? `${config.webhookUrl} answered 2xx in ${ms} ms to a ${signed ? 'signed' : 'UNSIGNED (no SWARMTASK_WEBHOOK_SECRET)'} webhook.ping`
          : `${config.webhookUrl} did not take the webhook.ping: ${error}`,
      );
      if (error !== null) process.exitCode = 1;
    });
}
