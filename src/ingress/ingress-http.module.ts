import { Module } from '@nestjs/common';
import { IngressController } from './ingress.controller';
import { IngressModule } from './ingress.module';

/** `POST /hooks/:source`: mounted only in processes whose role serves ingress (`all`, `ingress`). */
@Module({
  imports: [IngressModule],
  controllers: [IngressController],
})
export class IngressHttpModule {}
