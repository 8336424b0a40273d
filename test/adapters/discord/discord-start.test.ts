// `glance start --demo` with DISCORD_TOKEN runs the HTTP adapter and the Discord bot (against the fake Discord),
// says so, answers a mention, and shuts down gracefully on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeDiscord, Intents } from '../../helpers/fake-discord/fake-discord.ts';
import { cleanEnv, spawnGlance } from '../../helpers/run-glance.ts';
import { ALICE, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost } from './discord-test-bot.ts';

const work = mkdtempSync(join(tmpdir(), 'glance-discord-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const spawned = spawnGlance(args, { env, cwd: work });
  const code = await spawned.exited;
  return { code, ...spawned.output() };
}

describe('glance discord register', () => {
  it('registers the commands in a guild, asking Discord for the application id, and prints them', async () => {
    const fake = await FakeDiscord.start();
    try {
      const result = await run(['discord', 'register', '--guild', fake.guildId], cleanEnv({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl }));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`registered 5 Discord commands for application ${fake.applicationId} in server ${fake.guildId}`);
      expect(result.stdout).toMatch(/\/caption \(slash, id \d+\)/);
      expect(result.stdout).toMatch(/"Describe image" \(message menu, id \d+\)/);
      expect(fake.registeredCommands(fake.guildId)).toHaveLength(5);
      // The invite URL for this application, with View Channels 2^10, Send Messages 2^11, Read Message History 2^16
      // and Send Messages in Threads 2^38 (Discord's permission bits).
      const permissions = 2 ** 10 + 2 ** 11 + 2 ** 16 + 2 ** 38;
      expect(result.stdout).toContain(`https://discord.com/oauth2/authorize?client_id=${fake.applicationId}&scope=bot+applications.commands&permissions=${permissions}`);
    } finally {
      await fake.close();
    }
  });

  it('without DISCORD_TOKEN, or with a --guild that is not an id, says what to fix', async () => {
    const noToken = await run(['discord', 'register'], cleanEnv({}));
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/\[CONFIG_INVALID\].*DISCORD_TOKEN/);
    const badGuild = await run(['discord', 'register', '--guild', 'my-server'], cleanEnv({ DISCORD_TOKEN: 'x' }));
    expect(badGuild.code).toBe(1);
    expect(badGuild.stderr).toMatch(/\[INVALID_INPUT\]: --guild takes a server id/);
  });

  it('tells a Discord that cannot be reached (the network) from one that refuses (the token)', async () => {
    const fake = await FakeDiscord.start();
    const apiUrl = fake.apiUrl;
    try {
      const refused = await run(['discord', 'register', '--guild', fake.guildId], cleanEnv({ DISCORD_TOKEN: 'not-the-token', DISCORD_API_URL: apiUrl }));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/\[CONFIG_INVALID\]: Discord refused the command registration: .*Check DISCORD_TOKEN/);
    } finally {
      await fake.close();
    }
    // The fake is gone: nothing listens at its address any more.
    const unreachable = await run(['discord', 'register', '--guild', '123'], cleanEnv({ DISCORD_TOKEN: 'x', DISCORD_API_URL: apiUrl }));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/\[NETWORK_UNREACHABLE\]: Could not reach Discord at .* to register the commands \(.*\)\. Check this machine.s network connection/);
    expect(unreachable.stderr).not.toMatch(/DISCORD_TOKEN/);
  });
});

describe('glance start with DISCORD_TOKEN', () => {
  it('runs the HTTP API and the Discord bot, says what works without MessageContent, answers, and stops on SIGTERM', async () => {
    const fake = await FakeDiscord.start();
    try {
      const env = cleanEnv({
        DISCORD_TOKEN: fake.token,
        DISCORD_API_URL: fake.apiUrl,
        DISCORD_MEDIA_HOSTS: fake.cdnHost,
        DISCORD_MESSAGE_CONTENT: 'false',
      });
      const started = spawnGlance(['start', '--demo', '--port', '0', '--data-dir', join(work, 'data')], { env, cwd: work });
      await started.stdoutMatch(/running .*Discord bot/);
      const { stdout } = started.output();
      expect(stdout).toMatch(/glance: serving \S+ at http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/glance: running the HTTP playground and API and the Discord bot glance/);
      expect(stdout).toMatch(/DISCORD_MESSAGE_CONTENT is false, so automatic alt text is off .*@mentions/);
      const url = /serving \S+ at (http:\/\/\S+)/.exec(stdout)![1];
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await fake.postMessage({ channelId: '4001', author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
      await nextBotPost(fake, '4001');
      expect(lastBotText(fake, '4001')).toMatch(/^Answer \(glance\): \S/);
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('with DISCORD_MESSAGE_CONTENT=true but the intent not enabled in the Developer Portal (close 4014): exits 1 saying what to do, instead of hanging', async () => {
    const fake = await FakeDiscord.start({ disallowedIntents: Intents.MessageContent });
    try {
      const env = cleanEnv({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, DISCORD_MEDIA_HOSTS: fake.cdnHost, DISCORD_MESSAGE_CONTENT: 'true' });
      const result = await run(['start', '--demo', '--port', '0', '--data-dir', join(work, 'data-4014')], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('glance: error [CONFIG_INVALID]: Discord refused the Message Content intent: enable it for the bot in the Developer Portal (Bot → Privileged Gateway Intents) or set DISCORD_MESSAGE_CONTENT=false');
    } finally {
      await fake.close();
    }
  });
});
