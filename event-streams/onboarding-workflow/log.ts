/**
 * One JSON line per event and per destination. Every line passes through `redact`, so a secret value
 * (a token, or a webhook URL that is itself a credential) never reaches Auth0's logs, even when it
 * turns up inside an error message.
 */

export type LogLine = Record<string, unknown> & { msg: string };

export interface Logger {
  info(line: LogLine): void;
  error(line: LogLine): void;
}

const REDACTED = '[redacted]';

function createRedactor(secretValues: Iterable<string>): (text: string) => string {
  // Short values would redact ordinary words; real credentials are long.
  const secrets = [...new Set(secretValues)]
    .filter((value) => value.length >= 8)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}

export function createLogger(
  secretValues: Iterable<string>,
  sink: Pick<Console, 'log' | 'error'> = console,
): Logger {
  const redact = createRedactor(secretValues);
  const write = (level: 'info' | 'error', line: LogLine) => {
    const text = redact(JSON.stringify({ level, ...line }));
    if (level === 'error') sink.error(text);
    else sink.log(text);
  };
  return { info: (line) => write('info', line), error: (line) => write('error', line) };
}
