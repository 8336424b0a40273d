// Slash and context-menu commands: deferred at once, then answered (golden caption/answer of the tiny model).
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../../adapters/discord/register-commands.ts';
import { ALICE, ASTRONAUT, BOB, CHELSEA, GOLDEN_ANSWER, GOLDEN_CAPTION, PNG_ATTACHMENT, QUESTION, finalText, testConfig, useDiscordTestBot, waitForResponse } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const GENERAL = '4001';
const DEFERRED = 5; // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE

describe('Discord commands', () => {
  it('/caption is deferred, then the reply is edited to the caption (short = the service default, golden)', async () => {
    const { fake, service } = bot();
    const run = await fake.slashCommand({ name: 'caption', channelId: GENERAL, user: ALICE, attachments: { image: PNG_ATTACHMENT } });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'edit');
    expect(responses[0]).toMatchObject({ kind: 'callback', type: DEFERRED });
    const expected = (await service.run({ image: ASTRONAUT, userId: 'test', channelId: 'test' })).text;
    expect(expected.startsWith(GOLDEN_CAPTION)).toBe(true);
    expect(finalText(responses)).toBe(`Caption (glance): ${expected}`);
  });

  it('/caption length:detailed uses the detailed preset; prompt: continues the prompt', async () => {
    const { fake, service } = bot();
    const detailed = await fake.slashCommand({ name: 'caption', channelId: GENERAL, user: ALICE, options: [{ name: 'length', type: 3, value: 'detailed' }], attachments: { image: PNG_ATTACHMENT } });
    const expected = await service.run({ image: ASTRONAUT, userId: 'test', channelId: 'test', generation: { minNewTokens: 20, maxNewTokens: 80, repetitionPenalty: 1.3, noRepeatNgramSize: 3 } });
    expect(finalText(await waitForResponse(fake, detailed.token, (r) => r.kind === 'edit'))).toBe(`Caption (glance): ${expected.text}`);
    const prompted = await fake.slashCommand({ name: 'caption', channelId: GENERAL, user: ALICE, options: [{ name: 'prompt', type: 3, value: 'a photo of' }], attachments: { image: PNG_ATTACHMENT } });
    const continued = await service.run({ image: ASTRONAUT, userId: 'test', channelId: 'test', question: 'a photo of', rawPrompt: true });
    expect(finalText(await waitForResponse(fake, prompted.token, (r) => r.kind === 'edit'))).toBe(`Caption (glance): a photo of ${continued.text}`);
  });

  it('/caption with a file that is not an image is refused privately at once, without deferring', async () => {
    const { fake } = bot();
    const run = await fake.slashCommand({ name: 'caption', channelId: GENERAL, user: ALICE, attachments: { image: { filename: 'notes.txt', bytes: Buffer.from('hi'), contentType: 'text/plain' } } });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(responses[0].data.content).toBe('The file notes.txt is not an image; attach a JPEG, PNG, WebP, GIF or TIFF image.');
  });

  it('/ask with an image answers (golden VQA); the upload stays private to that command: a later /ask uses the channel’s public image', async () => {
    const { fake, service } = bot();
    await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [{ filename: 'chelsea.png', bytes: CHELSEA, contentType: 'image/png', width: 451, height: 300 }] });
    const withImage = await fake.slashCommand({ name: 'ask', channelId: GENERAL, user: ALICE, options: [{ name: 'question', type: 3, value: QUESTION }], attachments: { image: PNG_ATTACHMENT } });
    const first = await waitForResponse(fake, withImage.token, (r) => r.kind === 'edit');
    expect(first[0]).toMatchObject({ kind: 'callback', type: DEFERRED });
    expect(finalText(first)).toMatch(new RegExp(`^Answer \\(glance\\): ${GOLDEN_ANSWER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // BOB's /ask without an image is about the public image posted before, never ALICE's upload (he cannot see it)
    const followUp = await fake.slashCommand({ name: 'ask', channelId: GENERAL, user: BOB, options: [{ name: 'question', type: 3, value: QUESTION }] });
    const aboutPublic = (await service.run({ image: CHELSEA, question: QUESTION, userId: 'test', channelId: 'test' })).text;
    expect(finalText(await waitForResponse(fake, followUp.token, (r) => r.kind === 'edit'))).toBe(`Answer (glance): ${aboutPublic}`);
  });

  it('an image uploaded with /caption is not found by later questions in a channel with no public image', async () => {
    const { fake } = bot();
    const upload = await fake.slashCommand({ name: 'caption', channelId: '4003', user: ALICE, attachments: { image: PNG_ATTACHMENT } });
    await waitForResponse(fake, upload.token, (r) => r.kind === 'edit');
    const ask = await fake.slashCommand({ name: 'ask', channelId: '4003', user: BOB, options: [{ name: 'question', type: 3, value: QUESTION }] });
    expect((await waitForResponse(fake, ask.token, (r) => r.kind === 'callback'))[0].data).toMatchObject({ flags: 64, content: 'There is no image to look at here: attach an image or reply to one.' });
  });

  it('/ask with no image anywhere says so, privately', async () => {
    const { fake } = bot();
    const run = await fake.slashCommand({ name: 'ask', channelId: '4003', user: ALICE, options: [{ name: 'question', type: 3, value: QUESTION }] });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
    expect(responses[0]).toMatchObject({ type: 4, data: { flags: 64, content: 'There is no image to look at here: attach an image or reply to one.' } });
  });

  it('"Describe image" on someone’s message is deferred and answered with alt text (works without MessageContent)', async () => {
    const { fake } = bot();
    const target = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [PNG_ATTACHMENT] });
    const run = await fake.messageCommand({ name: 'Describe image', channelId: GENERAL, user: ALICE, targetMessageId: target.id });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'edit');
    expect(responses[0]).toMatchObject({ kind: 'callback', type: DEFERRED });
    expect(finalText(responses)).toMatch(/^Alt text \(glance\): /);
    expect(finalText(responses)).toContain(GOLDEN_CAPTION);
  });

  it('"Ask about image" opens a modal; its submission is deferred and answered about the target image', async () => {
    const { fake } = bot();
    const target = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [PNG_ATTACHMENT] });
    const run = await fake.messageCommand({ name: 'Ask about image', channelId: GENERAL, user: ALICE, targetMessageId: target.id });
    const [modal] = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
    expect(modal.type).toBe(9); // MODAL
    const submit = await fake.modalSubmit({ customId: modal.data.custom_id, channelId: GENERAL, user: ALICE, values: { question: QUESTION } });
    const responses = await waitForResponse(fake, submit.token, (r) => r.kind === 'edit');
    expect(responses[0]).toMatchObject({ kind: 'callback', type: DEFERRED });
    expect(finalText(responses)).toContain(GOLDEN_ANSWER);
  });

  it('"Ask about image" still answers when the target was forgotten meanwhile (the message is fetched again, after deferring)', async () => {
    const { fake, conversations } = bot();
    const target = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [PNG_ATTACHMENT] });
    const run = await fake.messageCommand({ name: 'Ask about image', channelId: GENERAL, user: ALICE, targetMessageId: target.id });
    const [modal] = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
    conversations.forgetMessage({ platform: 'discord', workspace: fake.guildId, channel: GENERAL }, target.id);
    const submit = await fake.modalSubmit({ customId: modal.data.custom_id, channelId: GENERAL, user: ALICE, values: { question: QUESTION } });
    const responses = await waitForResponse(fake, submit.token, (r) => r.kind === 'edit');
    expect(finalText(responses)).toContain(GOLDEN_ANSWER);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === `/channels/${GENERAL}/messages/${target.id}`)).toBe(true);
  });

  it('an unreadable image found after deferring is reported privately: the public "thinking" reply is deleted', async () => {
    const { fake } = bot();
    const run = await fake.slashCommand({ name: 'caption', channelId: GENERAL, user: ALICE, attachments: { image: { filename: 'empty.png', bytes: new Uint8Array(), contentType: 'image/png' } } });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'followup');
    expect(responses.map((r) => r.kind)).toEqual(['callback', 'delete', 'followup']);
    expect(responses[2].data).toMatchObject({ flags: 64, content: 'The file is empty (0 bytes).' });
  });

  it('"Describe image" on a message without an image, and on an opted-out author’s image, is refused privately', async () => {
    const { fake, settings } = bot();
    const plain = await fake.postMessage({ channelId: GENERAL, author: BOB, content: 'no picture' });
    const run = await fake.messageCommand({ name: 'Describe image', channelId: GENERAL, user: ALICE, targetMessageId: plain.id });
    expect((await waitForResponse(fake, run.token, (r) => r.kind === 'callback'))[0].data).toMatchObject({ flags: 64, content: 'That message has no image to describe.' });
    settings.setUserOptOut('discord', BOB.id, true);
    const image = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [PNG_ATTACHMENT] });
    const refused = await fake.messageCommand({ name: 'Describe image', channelId: GENERAL, user: ALICE, targetMessageId: image.id });
    expect((await waitForResponse(fake, refused.token, (r) => r.kind === 'callback'))[0].data.content).toMatch(/opted out/);
  });

  it('/glance help and /glance privacy answer privately; privacy says image bytes are never stored', async () => {
    const { fake } = bot();
    const help = await fake.slashCommand({ name: 'glance', channelId: GENERAL, user: ALICE, options: [{ name: 'help', type: 1 }] });
    expect((await waitForResponse(fake, help.token, (r) => r.kind === 'callback'))[0].data).toMatchObject({ flags: 64, content: expect.stringContaining('/caption') });
    const privacy = await fake.slashCommand({ name: 'glance', channelId: GENERAL, user: ALICE, options: [{ name: 'privacy', type: 1 }] });
    const text = (await waitForResponse(fake, privacy.token, (r) => r.kind === 'callback'))[0].data.content;
    expect(text).toContain('Image bytes are never stored');
    expect(text).toContain('60 minutes');
  });

  it('the service’s per-user limit becomes a private "slow down"', async () => {
    const { fake, service } = bot();
    // ALICE's one admitted request is held open in the service (a long caption) while the command arrives
    const stop = new AbortController();
    const held = service.run({ image: ASTRONAUT, userId: ALICE.id, channelId: 'x', generation: { maxNewTokens: 1500, minNewTokens: 1500 }, signal: stop.signal });
    const run = await fake.slashCommand({ name: 'caption', channelId: GENERAL, user: ALICE, attachments: { image: PNG_ATTACHMENT } });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'followup' || r.kind === 'edit');
    stop.abort();
    await held.catch(() => {});
    expect(finalText(responses)).toBe('Slow down a little: you already have a request in progress; wait for it to finish.');
    const followUp = responses.find((r) => r.kind === 'followup');
    expect(followUp?.data.flags & 64).toBe(64);
    expect(responses.some((r) => r.kind === 'delete')).toBe(true);
  });

  it('glance discord register PUTs the five commands (guild and global), asking Discord for the application id', async () => {
    const { fake } = bot();
    const config = testConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl });
    const guild = await registerCommands(config, { guildId: fake.guildId });
    expect(guild.applicationId).toBe(fake.applicationId);
    expect(guild.commands.map((c) => c.name)).toEqual(['caption', 'ask', 'glance', 'Describe image', 'Ask about image']);
    expect(fake.registeredCommands(fake.guildId)).toHaveLength(5);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === '/applications/@me')).toBe(true);
    const gets = fake.requests.filter((r) => r.path === '/applications/@me').length;
    const global = await registerCommands({ ...config, discord: { ...config.discord, applicationId: fake.applicationId } });
    expect(fake.requests.filter((r) => r.path === '/applications/@me')).toHaveLength(gets);
    expect(global.commands).toHaveLength(5);
    expect(fake.registeredCommands()).toHaveLength(5);
    const ask = fake.registeredCommands().find((c: any) => c.name === 'ask');
    expect(ask.options.find((o: any) => o.name === 'question').max_length).toBe(500);
  });
});
