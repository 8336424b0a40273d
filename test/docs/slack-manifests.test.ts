// The two Slack app manifests describe the same app: the HTTP-mode one differs from the Socket Mode one only in its
// header comment, Socket Mode off, and the one request URL given to the events, interactivity and /glance.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
const socket = read('slack-app-manifest.yml');
const http = read('slack-app-manifest-http.yml');

/** The manifest's lines without comments, request URLs and the Socket Mode switch. */
function withoutModeLines(manifest: string): string[] {
  return manifest
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, ''))
    .filter((line) => !line.startsWith('#') && !/^\s*(request_)?url:/.test(line) && !/socket_mode_enabled/.test(line));
}

describe('Slack app manifests', () => {
  it('the HTTP-mode manifest is the Socket Mode one with Socket Mode off and /slack/events as every request URL', () => {
    expect(withoutModeLines(http)).toEqual(withoutModeLines(socket));
    expect(socket).toMatch(/^ {2}socket_mode_enabled: true$/m);
    expect(http).toMatch(/^ {2}socket_mode_enabled: false$/m);
    expect(socket).not.toMatch(/url:/);
    const urls = [...http.matchAll(/^\s*(?:request_)?url: (\S+)$/gm)].map((match) => match[1]);
    expect(urls).toEqual(['https://glance.example.com/slack/events', 'https://glance.example.com/slack/events', 'https://glance.example.com/slack/events']);
    // Under the slash command, the event subscriptions and interactivity.
    expect(http).toMatch(/- command: \/glance\n\s+description: .*\n\s+url: https:\/\/glance\.example\.com\/slack\/events/);
    expect(http).toMatch(/event_subscriptions:\n\s+request_url: /);
    expect(http).toMatch(/interactivity:\n\s+is_enabled: true\n\s+request_url: /);
  });
});
