import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse as parseDotenv } from 'dotenv';
import { DomainError } from '../common/domain-error';
import { Settings } from './settings';
import { TlsFiles, TlsFilesError } from './tls-files';

export class SettingsError extends DomainError {
  constructor(
    readonly setting: string,
    reason: string,
  ) {
    super('INVALID_SETTING', `Invalid setting ${setting}: ${reason}`);
  }
}

/**
 * Reads the settings from the environment, with a `.env` file in `cwd` underneath it
 * (the real environment wins), and validates them. Throws `SettingsError` naming the
 * first bad setting.
 */
export function loadSettings(
  environment: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Settings {
  const dotenvPath = join(cwd, '.env');
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile, ...environment };

  const raw = Object.fromEntries(SETTING_NAMES.map((name) => [name, merged[name]]));
  const settings = plainToInstance(Settings, raw);
  const errors = validateSync(settings, { stopAtFirstError: true });
  const first = errors[0];
  if (first) {
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is not valid';
    throw new SettingsError(first.property, `${reason} (got ${JSON.stringify(merged[first.property])})`);
  }
  checkTlsFiles(settings);
  settings.environment = Object.freeze(merged);
  return settings;
}

/** Certificate and key files that are missing, unreadable or not a pair stop the start too. */
function checkTlsFiles(settings: Settings): void {
  try {
    TlsFiles.of(settings)?.read();
  } catch (error) {
    if (error instanceof TlsFilesError) throw new SettingsError(error.setting, error.reason);
    throw error;
  }
}

const SETTING_NAMES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'HOOKFLOW_DATA_DIR',
  'HOOKFLOW_WORKFLOWS_DIR',
  'HOOKFLOW_ADMIN_TOKEN',
  'HOOKFLOW_ROLE',
  'HOOKFLOW_OUTBOUND_ALLOW',
  'HOOKFLOW_SMTP_URL',
  'LOG_LEVEL',
  'HOOKFLOW_RETENTION',
  'HOOKFLOW_TLS_CERT',
  'HOOKFLOW_TLS_KEY',
] as const;
