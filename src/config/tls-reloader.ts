import { dirname } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FSWatcher, watch } from 'chokidar';
import { Settings } from './settings';
import { describeCertificate, TlsFiles, TlsPair } from './tls-files';

/** Renewal tools write the certificate and the key one after the other: read them once both are written. */
const SETTLE_MS = 300;

/**
 * Serves a renewed certificate without a restart. Any change in the folders of the two files
 * (an overwrite, a rename, a symlink swap as certbot and Kubernetes secrets do) re-reads the
 * pair once writes settle; new connections get it, open ones keep theirs. A pair that cannot
 * be served leaves the previous one in place, with a warning.
 */
@Injectable()
export class TlsReloader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Tls');
  private readonly files: TlsFiles | undefined;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private lastProblem?: string;
  private current?: TlsPair;

  constructor(
    settings: Settings,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.files = TlsFiles.of(settings);
  }

  /** The pair new connections get; undefined when the port serves plain HTTP. */
  get serving(): TlsPair | undefined {
    return this.current;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as TlsServer | undefined;
    if (!this.files || typeof server?.setSecureContext !== 'function') return;
    // The adapter got the pair read when the app was built; serving this read makes `serving` exact.
    this.current = this.files.read();
    server.setSecureContext({ cert: this.current.cert, key: this.current.key });
    const folders = [...new Set([dirname(this.files.certPath), dirname(this.files.keyPath)])];
    // Symlinks are watched as links: following them, chokidar misses a retargeted link.
    const watcher = watch(folders, { ignoreInitial: true, depth: 0, followSymlinks: false });
    watcher.on('all', () => this.reloadSoon(server));
    watcher.on('error', (error) => this.logger.warn(`Watching ${folders.join(' and ')} for certificate renewals failed: ${String(error)}`));
    this.watcher = watcher;
    await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher?.close();
    this.watcher = undefined;
  }

  private reloadSoon(server: TlsServer): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(server), SETTLE_MS);
  }

  private reload(server: TlsServer): void {
    const previous = this.current!;
    let pair: TlsPair;
    let changed: boolean;
    try {
      pair = this.files!.read();
      changed = !pair.cert.equals(previous.cert) || !pair.key.equals(previous.key);
      if (changed) server.setSecureContext({ cert: pair.cert, key: pair.key });
    } catch (error) {
      // TlsFilesError and OpenSSL's messages name files and reasons, never the key's content.
      const problem = (error as Error).message;
      if (problem !== this.lastProblem) {
        this.logger.warn(`The TLS files changed but cannot be served: ${problem}. Still serving ${describeCertificate(previous.certificate)}`);
      }
      this.lastProblem = problem;
      return;
    }
    this.lastProblem = undefined;
    if (!changed) return;
    this.current = pair;
    this.logger.log(`TLS certificate reloaded from ${this.files!.certPath}: now serving ${describeCertificate(pair.certificate)}`);
  }
}
