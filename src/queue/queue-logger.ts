import { Logger as NestLogger } from '@nestjs/common';
import { Logger, LogLevel } from 'graphile-worker';

/**
 * graphile-worker's messages in Hookflow's log: its per-job chatter at debug level, its
 * warnings and errors as such. The pool-size warning is expected: jobs are fetched in
 * batches, so a small pool serves many concurrent runs.
 */
export function queueLogger(): Logger {
  return new Logger((scope) => {
    const logger = new NestLogger(scope.workerId ? `Queue ${scope.workerId}` : 'Queue');
    return (level, message) => {
      if (level === LogLevel.ERROR) logger.error(message);
      else if (level === LogLevel.WARNING && !message.includes('smaller than concurrency')) logger.warn(message);
      else logger.debug(message);
    };
  });
}
