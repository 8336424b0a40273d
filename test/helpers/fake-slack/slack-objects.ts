/**
 * The fake Slack's identities and stored objects (channels, messages, files) and the small helpers around them:
 * message timestamps (`1700000000.000100`, unique and increasing), ids, file types.
 */
import { randomBytes } from 'node:crypto';

export interface SlackIdentity {
  botToken: string;
  appToken: string;
  signingSecret: string;
  /** The deprecated verification token Slack still puts in payloads. */
  verificationToken: string;
  teamId: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  appId: string;
}

export interface FakeSlackFile {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  user_team: string;
  editable: boolean;
  size: number;
  mode: 'hosted';
  is_external: boolean;
  external_type: string;
  is_public: boolean;
  public_url_shared: boolean;
  display_as_bot: boolean;
  username: string;
  /** Needs `Authorization: Bearer <bot token>`; otherwise a 302 to an HTML login page. */
  url_private: string;
  url_private_download: string;
  media_display_type: string;
  /** Images only: thumbnails (the fake serves the original bytes there, with the same authorization rules). */
  thumb_64?: string;
  thumb_80?: string;
  thumb_360?: string;
  thumb_480?: string;
  thumb_720?: string;
  thumb_1024?: string;
  permalink: string;
  permalink_public: string;
  has_rich_preview: boolean;
  file_access: 'visible';
  alt_txt?: string;
}

export interface StoredChannel {
  id: string;
  name: string;
  isMember: boolean;
  isIm: boolean;
  /** The other member of a direct message channel. */
  imUser?: string;
  created: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  text: string;
  files?: FakeSlackFile[];
  blocks?: any[];
  /** Posted by the bot through chat.postMessage (or an in-channel response_url answer). */
  fromBot: boolean;
  edited?: { user: string; ts: string };
}

export interface StoredFile {
  file: FakeSlackFile;
  bytes: Buffer;
  loginPage: boolean;
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** An id as Slack writes them: a prefix letter and upper-case alphanumerics, e.g. F07ABCDE1FG. */
export function slackId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

/** Issues message timestamps: seconds.microseconds from the clock, strictly increasing. */
export class TsClock {
  private lastMicros = 0;

  next(): string {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    return formatTs(this.lastMicros);
  }

  /** Keeps later generated timestamps after one a test chose. */
  observe(ts: string): void {
    const micros = parseTsMicros(ts);
    if (Number.isFinite(micros)) this.lastMicros = Math.max(this.lastMicros, micros);
  }
}

function formatTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

export function parseTsMicros(ts: string): number {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts);
  if (!match) return Number.NaN;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

export function compareTs(a: string, b: string): number {
  return parseTsMicros(a) - parseTsMicros(b);
}

const TYPES: Record<string, { mimetype: string; pretty: string }> = {
  png: { mimetype: 'image/png', pretty: 'PNG' },
  jpg: { mimetype: 'image/jpeg', pretty: 'JPEG' },
  gif: { mimetype: 'image/gif', pretty: 'GIF' },
  webp: { mimetype: 'image/webp', pretty: 'WebP' },
  heic: { mimetype: 'image/heic', pretty: 'HEIC' },
  bmp: { mimetype: 'image/bmp', pretty: 'BMP' },
  svg: { mimetype: 'image/svg+xml', pretty: 'SVG' },
  pdf: { mimetype: 'application/pdf', pretty: 'PDF' },
  text: { mimetype: 'text/plain', pretty: 'Plain Text' },
  zip: { mimetype: 'application/zip', pretty: 'Zip' },
  mp4: { mimetype: 'video/mp4', pretty: 'MPEG 4 Video' },
};

/** Slack's `filetype` for a file name (by extension; `binary` when unknown). */
export function filetypeOf(name: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  if (extension === 'jpeg') return 'jpg';
  if (extension === 'txt') return 'text';
  return extension in TYPES ? extension : 'binary';
}

export function mimetypeOf(filetype: string): string {
  return TYPES[filetype]?.mimetype ?? 'application/octet-stream';
}

export function prettyTypeOf(filetype: string): string {
  return TYPES[filetype]?.pretty ?? 'Binary';
}
