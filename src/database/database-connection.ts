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
    return (
      this.url
        // As URL parsers read it, the password runs from the first colon to the last @ of the authority.
        .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#]*):[^/?#]*@/i, '$1:***@')
        // pg also takes the password from the query.
        .replace(/([?&][^=&#]*password=)[^&#]*/gi, '$1***')
    );
  }
}
