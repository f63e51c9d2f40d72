import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse as parseDotenv } from 'dotenv';
import { DomainError } from '../common/domain-error';
import { workflowSecrets } from './secret-names';
import { SETTING_IS_SECRET, SettingName, Settings } from './settings';
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
export function loadSettings(environment: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Settings {
  const dotenvPath = join(cwd, '.env');
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile, ...environment };

  const raw = Object.fromEntries(SETTING_NAMES.map((name) => [name, merged[name]]));
  const settings = plainToInstance(Settings, raw);
  const errors = validateSync(settings, { stopAtFirstError: true });
  const first = errors[0];
  if (first) {
    const name = first.property as SettingName;
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is not valid';
    const value = SETTING_IS_SECRET[name] ? 'the value is secret and not shown' : `got ${JSON.stringify(merged[name])}`;
    throw new SettingsError(name, `${reason} (${value})`);
  }
  checkTlsFiles(settings);
  settings.secrets = workflowSecrets(merged);
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

/** Every variable Hookflow reads as a setting. */
export const SETTING_NAMES = Object.keys(SETTING_IS_SECRET) as SettingName[];
