/**
 * The fields glance reads from Slack's untrusted event, command and shortcut bodies, checked one by one: a body
 * missing what is needed (or of the wrong shape) gives undefined and is logged by the caller, never a crash.
 */

/** A file as it arrives on a message: in full, or as an id only (`file_access: "check_file_info"`). */
export interface SlackFileInfo {
  id: string;
  name?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  urlPrivate?: string;
  urlPrivateDownload?: string;
  altTxt?: string;
  /** True when only the id came (files.info gives the rest). */
  idOnly: boolean;
}

export interface SlackMessage {
  channel: string;
  user: string;
  text: string;
  ts: string;
  threadTs?: string;
  channelType?: string;
  subtype?: string;
  botId?: string;
  team?: string;
  files: SlackFileInfo[];
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function parseFile(value: unknown): SlackFileInfo | undefined {
  const file = record(value);
  const id = str(file?.id);
  if (!file || !id) return undefined;
  const urlPrivate = str(file.url_private);
  return {
    id,
    name: str(file.name) ?? str(file.title),
    mimetype: str(file.mimetype),
    filetype: str(file.filetype),
    size: typeof file.size === 'number' && Number.isFinite(file.size) ? file.size : undefined,
    urlPrivate,
    urlPrivateDownload: str(file.url_private_download),
    altTxt: str(file.alt_txt)?.trim() || undefined,
    idOnly: file.file_access === 'check_file_info' || (urlPrivate === undefined && str(file.url_private_download) === undefined),
  };
}

/** A message-like event (message, app_mention, a shortcut's message) or undefined when it lacks channel, ts or user. */
export function parseMessage(value: unknown, channelOverride?: string): SlackMessage | undefined {
  const event = record(value);
  if (!event) return undefined;
  const channel = channelOverride ?? str(event.channel);
  const ts = str(event.ts);
  const user = str(event.user) ?? str(event.bot_id);
  if (!channel || !ts || !user) return undefined;
  const files = Array.isArray(event.files) ? event.files.map(parseFile).filter((file): file is SlackFileInfo => file !== undefined) : [];
  // A thread's root carries thread_ts equal to its own ts: it belongs to the channel, not to the thread.
  const threadTs = str(event.thread_ts) === ts ? undefined : str(event.thread_ts);
  return {
    channel,
    user,
    text: typeof event.text === 'string' ? event.text : '',
    ts,
    ...(threadTs ? { threadTs } : {}),
    ...(str(event.channel_type) ? { channelType: str(event.channel_type) } : {}),
    ...(str(event.subtype) ? { subtype: str(event.subtype) } : {}),
    ...(str(event.bot_id) ? { botId: str(event.bot_id) } : {}),
    ...(str(event.team) ? { team: str(event.team) } : {}),
    files,
  };
}

/** The workspace (team) id of an Events API body, command or interactive payload. */
export function teamOf(body: unknown, fallback: string): string {
  const outer = record(body);
  const team = record(outer?.team);
  return str(outer?.team_id) ?? str(team?.id) ?? str(record(outer?.event)?.team) ?? fallback;
}

/** The question in a message: the text with glance's mention removed, whitespace collapsed. */
export function questionText(text: string, botUserId: string): string {
  const bare = text.replace(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), ' ');
  return bare.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}

export function mentions(text: string, botUserId: string): boolean {
  return new RegExp(`<@${botUserId}(\\|[^>]*)?>`).test(text);
}
