import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { LogLevel } from '../config/settings';

/**
 * Credentials a log line must never show, should one ever carry headers or settings. Hookflow's
 * own lines log ids and scrubbed error texts, never these; this is the net under them.
 */
const REDACTED_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'headers["proxy-authorization"]',
  'headers["x-api-key"]',
  'secret',
  'token',
  'password',
  '*.secret',
  '*.token',
  '*.password',
];

/**
 * Nest's start-up chatter (a line per module, controller and route) is logged at debug, so
 * that at the default level the banner is what a newcomer sees after `npm start`.
 */
const FRAMEWORK_CONTEXTS: ReadonlySet<string> = new Set(['NestFactory', 'NestApplication', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Nest's logger interface on pino: one JSON object per line, with the Nest context. Pass an
 * object (`{ msg, event_id, run_id, … }`) to log fields; a string is logged as `msg`.
 */
export class PinoLogger implements LoggerService {
  readonly pino: Logger;

  constructor(level: LogLevel, destination?: pino.DestinationStream) {
    const options = {
      level,
      base: { service: 'hookflow' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[secret]' },
    };
    this.pino = destination ? pino(options, destination) : pino(options);
  }

  log(message: unknown, context?: string): void {
    this.write(context !== undefined && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    const stack = context === undefined ? undefined : stackOrContext;
    this.write('error', message, context ?? stackOrContext, stack);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string, stack?: string): void {
    const fields = { context, ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}
