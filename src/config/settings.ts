import { Transform } from 'class-transformer';
import { ArrayNotEmpty, IsDefined, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { parse as parseConnectionString } from 'pg-connection-string';
import { parseDuration } from '../workflows/duration';

export const ROLES = ['all', 'ingress', 'worker', 'api'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const EDITOR_MODES = ['on', 'off'] as const;
export type EditorMode = (typeof EDITOR_MODES)[number];

const blankToUndefined = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const commaSeparated = (value: unknown): string[] =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
    : [];

/** What an admin token must be, wherever it comes from: the variable or the token file. */
export const ADMIN_TOKEN_RULE = {
  pattern: /^[\x21-\x7e]{16,}$/,
  message: 'must be at least 16 printable characters without spaces',
} as const;

/** The two TLS settings come as a pair: either both name a file or neither is set. */
const eitherTlsSettingIsSet = (settings: Settings) => settings.HOOKFLOW_TLS_CERT !== undefined || settings.HOOKFLOW_TLS_KEY !== undefined;

const RETENTION_FORMAT = 'must be a duration such as 30d or 12h, or 0 or off to keep everything';

/** A URL the PostgreSQL client reads, checked here so that a bad one is a setting error, not a stack trace. */
const ReadableByPg = () =>
  ValidateBy({
    name: 'readableByPg',
    validator: {
      validate: (value: unknown) => {
        try {
          parseConnectionString(String(value));
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'must be a postgres:// URL the PostgreSQL client can read (percent-encode special characters in the password)',
    },
  });

/** `30d`, `12h`, `90m` in ms; `0` and `off` are 0 (keep everything); NaN for anything else. */
function retentionMs(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '0' || trimmed === 'off') return 0;
  return parseDuration(trimmed) ?? Number.NaN;
}

/**
 * Every setting Hookflow reads, named as in the environment. Validated once at boot by
 * `loadSettings`; nothing else in the code base reads `process.env`.
 */
export class Settings {
  @Transform(({ value }) => (value === undefined ? 3000 : Number(value)))
  @IsInt({ message: 'must be a whole number between 0 and 65535' })
  @Min(0, { message: 'must be a whole number between 0 and 65535' })
  @Max(65535, { message: 'must be a whole number between 0 and 65535' })
  PORT: number;

  @Transform(({ value }: { value: unknown }) => value ?? '0.0.0.0')
  @IsString()
  @MinLength(1, { message: 'must be a host name or address' })
  HOST: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  @ReadableByPg()
  DATABASE_URL?: string;

  @Transform(({ value }) => blankToUndefined({ value }) ?? '.hookflow')
  @IsString()
  HOOKFLOW_DATA_DIR: string;

  @Transform(({ value }) => blankToUndefined({ value }) ?? 'workflows')
  @IsString()
  HOOKFLOW_WORKFLOWS_DIR: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(ADMIN_TOKEN_RULE.pattern, { message: ADMIN_TOKEN_RULE.message })
  HOOKFLOW_ADMIN_TOKEN?: string;

  /** `all`, or one or more of `ingress`, `worker`, `api`, comma-separated (see ProcessRoles). */
  @Transform(({ value }) => commaSeparated(blankToUndefined({ value }) ?? 'all'))
  @ArrayNotEmpty({ message: `must be one of ${ROLES.join(', ')}` })
  @IsIn(ROLES, { each: true, message: `must be one of ${ROLES.join(', ')}` })
  HOOKFLOW_ROLE: Role[];

  @Transform(({ value }) => commaSeparated(value))
  @Matches(/^[A-Za-z0-9.:*\-_/[\]]+$/, {
    each: true,
    message: 'must be a comma-separated list of hosts or CIDRs',
  })
  HOOKFLOW_OUTBOUND_ALLOW: string[];

  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// or smtps:// URL' })
  HOOKFLOW_SMTP_URL?: string;

  @Transform(({ value }) => String(blankToUndefined({ value }) ?? 'info').toLowerCase())
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel;

  /** How long events, runs and their history are kept, in ms; 0 keeps everything. */
  @Transform(({ value }) => retentionMs(String(blankToUndefined({ value }) ?? '30d')))
  @IsInt({ message: RETENTION_FORMAT })
  @Min(0, { message: RETENTION_FORMAT })
  HOOKFLOW_RETENTION: number;

  /**
   * `on` (the default) lets the management API save, create and delete workflow files;
   * `off` makes the workflows folder read-only through the API (git stays the way to deploy).
   */
  @Transform(({ value }) => String(blankToUndefined({ value }) ?? 'on').toLowerCase())
  @IsIn(EDITOR_MODES, { message: `must be one of ${EDITOR_MODES.join(', ')}` })
  HOOKFLOW_EDITOR: EditorMode;

  /** PEM certificate file (then any intermediates); with HOOKFLOW_TLS_KEY, the port serves HTTPS only. */
  @Transform(blankToUndefined)
  @ValidateIf(eitherTlsSettingIsSet)
  @IsDefined({ message: 'must be set together with HOOKFLOW_TLS_KEY' })
  HOOKFLOW_TLS_CERT?: string;

  /** PEM private key file of HOOKFLOW_TLS_CERT, unencrypted; its content is never logged. */
  @Transform(blankToUndefined)
  @ValidateIf(eitherTlsSettingIsSet)
  @IsDefined({ message: 'must be set together with HOOKFLOW_TLS_CERT' })
  HOOKFLOW_TLS_KEY?: string;

  /**
   * The environment (with `.env` below it) without Hookflow's own settings, for
   * `{{secrets.NAME}}`. Secrets are read from here at render time and never copied anywhere else.
   */
  secrets: Readonly<Record<string, string | undefined>>;
}

export type SettingName = Exclude<keyof Settings, 'secrets'>;

/**
 * Every setting, and whether its value is secret: a secret value is never shown, not even by
 * the error that refuses it (a URL may carry a password). The type makes a new setting say
 * which it is; `loadSettings` reads exactly these names.
 */
export const SETTING_IS_SECRET: Readonly<Record<SettingName, boolean>> = {
  PORT: false,
  HOST: false,
  DATABASE_URL: true,
  HOOKFLOW_DATA_DIR: false,
  HOOKFLOW_WORKFLOWS_DIR: false,
  HOOKFLOW_ADMIN_TOKEN: true,
  HOOKFLOW_ROLE: false,
  HOOKFLOW_OUTBOUND_ALLOW: false,
  HOOKFLOW_SMTP_URL: true,
  LOG_LEVEL: false,
  HOOKFLOW_RETENTION: false,
  HOOKFLOW_EDITOR: false,
  // Paths to the files, not their content.
  HOOKFLOW_TLS_CERT: false,
  HOOKFLOW_TLS_KEY: false,
};
