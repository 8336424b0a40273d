import { describe, expect, it } from 'vitest';
import { helpText, privacyText } from '../../../adapters/discord/commands/glance-texts.ts';
import { testConfig } from '../../helpers/chat-test-service.ts';

describe('/glance help and /glance privacy texts', () => {
  it('fit one Discord message, state the configured retention, and say what deleting a message and slash uploads do', () => {
    const config = testConfig({ GLANCE_CACHE_TTL_MINUTES: '30', GLANCE_CONVERSATION_TTL_MINUTES: '1' });
    const privacy = privacyText(config);
    expect(privacy.length).toBeLessThanOrEqual(2000);
    expect(privacy).toContain('for up to 30 minutes');
    expect(privacy).toContain('kept in memory for 1 minute so');
    expect(privacy).toContain('Deleting a message makes glance forget its images');
    expect(privacy).toContain('images uploaded with /caption or /ask are not kept at all');
    expect(privacy).not.toMatch(/GLANCE_|DISCORD_/);
    expect(helpText(config).length).toBeLessThanOrEqual(2000);
  });
});
