import { pino } from 'pino';

/** A pino logger on stderr (stdout stays free for results and `--json`). */
export function createLogger(level: string, name: string) {
  return pino(
    {
      name,
      level,
      redact: {
        paths: [
          '*.password',
          '*.token',
          '*.nodeToken',
          '*.enrolmentToken',
          '*.refreshToken',
          '*.accessToken',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
