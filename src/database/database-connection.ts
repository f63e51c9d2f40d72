/** Where the database is: the embedded server's URL or `DATABASE_URL`. Never logged. */
export class DatabaseConnection {
  constructor(readonly url: string) {}

  /** `host:port/database`, for messages about reaching it (the safe URL when there is no host, as with a socket). */
  get address(): string {
    try {
      const url = new URL(this.url);
      if (url.hostname) return `${url.hostname}:${url.port || '5432'}${decodeURIComponent(url.pathname)}`;
    } catch {
      // not a URL: fall through
    }
    return this.safeUrl;
  }

  /** The URL without its password, for banners and errors. */
  get safeUrl(): string {
    return this.url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
