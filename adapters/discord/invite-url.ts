/**
 * The OAuth2 URL that adds glance to a server: the `bot` and `applications.commands` scopes and exactly the
 * permissions its replies need (post-permission.ts: every reply is a reply, so Read Message History too).
 */
import { OAuth2Scopes, PermissionFlagsBits } from 'discord.js';

export const INVITE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.SendMessagesInThreads | PermissionFlagsBits.ReadMessageHistory;

export function inviteUrl(applicationId: string): string {
  const scopes = [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join('+');
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=${scopes}&permissions=${INVITE_PERMISSIONS}`;
}
