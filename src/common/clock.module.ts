import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';

/** Makes the one `Clock` injectable everywhere: the system clock. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }],
  exports: [Clock],
})
export class ClockModule {}
