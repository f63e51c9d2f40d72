import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Settings } from '../config/settings';

export interface AdminToken {
  token: string;
  /** Where a person finds the token: the variable, or the file it was generated into. */
  location: string;
  generated: boolean;
}

/**
 * The admin token: `HOOKFLOW_ADMIN_TOKEN`, or one generated on first start and kept in the
 * data folder (readable by its owner only), so that it stays the same across restarts.
 */
export async function loadAdminToken(settings: Settings): Promise<AdminToken> {
  if (settings.HOOKFLOW_ADMIN_TOKEN) {
    return { token: settings.HOOKFLOW_ADMIN_TOKEN, location: 'the HOOKFLOW_ADMIN_TOKEN variable', generated: false };
  }
  const dataDir = resolve(settings.HOOKFLOW_DATA_DIR);
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: (await readFile(file, 'utf8')).trim(), location: file, generated: false };
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, location: file, generated: true };
}
