import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONSOLE_CSP, CONSOLE_ROUTES, ConsolePage } from './console-page';

/** The console's pages: its `index.html` (never cached, so a new build shows at once); its assets are static files. */
@Controller()
@ApiExcludeController()
export class ConsoleController {
  constructor(@Inject(ConsolePage) private readonly page: ConsolePage) {}

  @Get(CONSOLE_ROUTES)
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('content-security-policy', CONSOLE_CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  async index(): Promise<string> {
    return (await this.page.html()).html;
  }
}
