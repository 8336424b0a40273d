import { describe, expect, it } from 'vitest';
import { GlanceError } from '../../../engine/errors.ts';
import { slackMode } from '../../../adapters/slack/slack-mode.ts';

const slack = (port?: number) => ({ apiUrl: 'https://slack.com/api/', fileHosts: ['files.slack.com'], ...(port === undefined ? {} : { port }) });

function refusal(run: () => unknown): GlanceError {
  try {
    run();
  } catch (error) {
    return error as GlanceError;
  }
  throw new Error('expected a refusal');
}

describe('slackMode', () => {
  it('Socket Mode with an app token; HTTP mode with a signing secret and a port', () => {
    expect(slackMode({ slackBotToken: 'xoxb-1', slackAppToken: 'xapp-1', slack: slack() })).toEqual({ mode: 'socket', botToken: 'xoxb-1', appToken: 'xapp-1' });
    expect(slackMode({ slackBotToken: 'xoxb-1', slackSigningSecret: 's', slack: slack(0) })).toEqual({ mode: 'http', botToken: 'xoxb-1', signingSecret: 's', port: 0 });
  });

  it('refuses every other combination with CONFIG_INVALID naming the variables', () => {
    const cases: [Parameters<typeof slackMode>[0], string[]][] = [
      [{ slack: slack() }, ['SLACK_BOT_TOKEN']],
      [{ slackBotToken: 'xapp-1', slack: slack() }, ['SLACK_BOT_TOKEN']],
      [{ slackBotToken: 'xoxb-1', slack: slack() }, ['SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_PORT']],
      [{ slackBotToken: 'xoxb-1', slackSigningSecret: 's', slack: slack() }, ['SLACK_APP_TOKEN', 'SLACK_PORT']],
      [{ slackBotToken: 'xoxb-1', slack: slack(3000) }, ['SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET']],
      [{ slackBotToken: 'xoxb-1', slackAppToken: 'xoxb-2', slack: slack() }, ['SLACK_APP_TOKEN']],
      [{ slackBotToken: 'xoxb-1', slackAppToken: 'xapp-1', slackSigningSecret: 's', slack: slack() }, ['SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET']],
      [{ slackBotToken: 'xoxb-1', slackAppToken: 'xapp-1', slack: slack(3000) }, ['SLACK_APP_TOKEN', 'SLACK_PORT']],
    ];
    for (const [config, variables] of cases) {
      const error = refusal(() => slackMode(config));
      expect(error).toBeInstanceOf(GlanceError);
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.details?.variables).toEqual(variables);
      for (const name of variables) expect(error.message).toContain(name);
    }
  });
});
