// Structured JSON logs (Powertools Logger) shared by every function.
import { Logger } from '@aws-lambda-powertools/logger';

export function makeLogger(serviceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}
