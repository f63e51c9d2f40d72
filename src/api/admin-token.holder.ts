import { Injectable, OnModuleInit } from '@nestjs/common';
import { Settings } from '../config/settings';
import { AdminToken, loadAdminToken } from './admin-token';

/** The admin token for this process, read (or generated) once at start. */
@Injectable()
export class AdminTokenHolder implements OnModuleInit {
  private loaded?: AdminToken;

  constructor(private readonly settings: Settings) {}

  async onModuleInit(): Promise<void> {
    this.loaded = await loadAdminToken(this.settings);
  }

  get token(): string {
    if (!this.loaded) throw new Error('The admin token is read at start');
    return this.loaded.token;
  }

  get details(): AdminToken {
    if (!this.loaded) throw new Error('The admin token is read at start');
    return this.loaded;
  }
}
