// One logger with a prefix per domain. Fields whose names look secret are redacted before any
// sink sees them: log the fact, never the secret.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: LogLevel;
  domain: string;
  message: string;
  fields?: Record<string, unknown>;
  atMs: number;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const secretName = /pass(word|phrase)?|secret|token|key|recovery|seed|code|content/i;

export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = secretName.test(name) ? '[redacted]' : value;
  }
  return out;
}

const levelOrder: readonly string[] = ['debug', 'info', 'warn', 'error'];

/**
 * A sink writing JSON lines to stderr at `threshold` and above; WARDKEEP_LOG=debug|info|warn|
 * error|silent overrides it. The app logs from `info`; the command line from `warn`, so its
 * stderr carries the one-line error a script reads and not the app's diary.
 */
export function stderrSinkFrom(threshold: LogLevel): LogSink {
  return (record) => {
    const wanted = process.env.WARDKEEP_LOG ?? threshold;
    if (wanted === 'silent') return;
    const floor = levelOrder.indexOf(wanted);
    if (levelOrder.indexOf(record.level) < (floor === -1 ? 1 : floor)) return;
    process.stderr.write(
      `${JSON.stringify({ ...record, at: new Date(record.atMs).toISOString() })}\n`,
    );
  };
}

/** The app's sink: `info` and above. */
export const stderrSink: LogSink = stderrSinkFrom('info');

let sink: LogSink = stderrSink;

export function setLogSink(next: LogSink): void {
  sink = next;
}

export function createLogger(domain: string): Logger {
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void =>
    sink({
      level,
      domain,
      message,
      atMs: Date.now(),
      ...(fields ? { fields: redact(fields) } : {}),
    });
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
