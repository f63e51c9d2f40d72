import { Global, Module } from '@nestjs/common';
import { TemplateEngine } from './template-engine';

/** One template engine (and its compile cache) for the whole application. */
@Global()
@Module({
  providers: [TemplateEngine],
  exports: [TemplateEngine],
})
export class TemplatesModule {}
