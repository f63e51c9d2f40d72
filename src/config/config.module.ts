import { DynamicModule, Global, Module } from '@nestjs/common';
import { Settings } from './settings';
import { TlsReloader } from './tls-reloader';

/** Makes the one validated `Settings` object injectable everywhere, and reloads the TLS certificate it names. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(settings: Settings): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: Settings, useValue: settings }, TlsReloader],
      exports: [Settings],
    };
  }
}
