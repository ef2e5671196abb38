/** A pino logger whose lines a test can read back: no error-level line may come from a client mistake. */
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines: Array<Record<string, unknown> & { level: number; msg?: string }>;
  /** Lines at error level or above (pino: error 50, fatal 60). */
  errors(): CapturedLog['lines'];
  /** Every line as written, for searching secrets. */
  text(): string;
  clear(): void;
}

export function captureLog(level: 'debug' | 'info' = 'debug'): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const raw: string[] = [];
  const stream = {
    write(line: string) {
      raw.push(line);
      lines.push(JSON.parse(line));
    },
  };
  return {
    logger: pino({ level }, stream),
    lines,
    errors: () => lines.filter((l) => l.level >= 50),
    text: () => raw.join(''),
    clear: () => {
      lines.length = 0;
      raw.length = 0;
    },
  };
}
