import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DomainError } from '../common/domain-error';
import { ADMIN_TOKEN_RULE, Settings } from '../config/settings';

export interface AdminToken {
  token: string;
  /** Where a person finds the token: the variable, or the file it was generated into. */
  location: string;
  generated: boolean;
}

/**
 * The admin token: `HOOKFLOW_ADMIN_TOKEN`, or one generated on first start and kept in the
 * data folder (readable by its owner only), so that it stays the same across restarts. A
 * token that breaks ADMIN_TOKEN_RULE stops the start (an empty file would open the API).
 */
export async function loadAdminToken(settings: Settings): Promise<AdminToken> {
  if (settings.HOOKFLOW_ADMIN_TOKEN) {
    const location = 'the HOOKFLOW_ADMIN_TOKEN variable';
    return checked({ token: settings.HOOKFLOW_ADMIN_TOKEN, location, generated: false }, 'change it');
  }
  const dataDir = resolve(settings.HOOKFLOW_DATA_DIR);
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = (await readFile(file, 'utf8')).trim();
    return checked({ token, location: file, generated: false }, 'replace it, or delete the file to have one generated');
  }
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, location: file, generated: true };
}

function checked(adminToken: AdminToken, fix: string): AdminToken {
  if (ADMIN_TOKEN_RULE.pattern.test(adminToken.token)) return adminToken;
  throw new DomainError('INVALID_ADMIN_TOKEN', `The admin token in ${adminToken.location} ${ADMIN_TOKEN_RULE.message}: ${fix}`);
}
