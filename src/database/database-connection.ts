/** Where the database is: the embedded server's URL or `DATABASE_URL`. Never logged. */
export class DatabaseConnection {
  constructor(readonly url: string) {}

  /** The URL without its password, for banners and errors. */
  get safeUrl(): string {
    return this.url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
