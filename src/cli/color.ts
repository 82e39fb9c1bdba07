// The one colour helper: honours NO_COLOR / FORCE_COLOR and only colours a TTY stream.
import { styleText } from 'node:util';

type Style = 'red' | 'yellow' | 'green' | 'dim' | 'bold' | 'cyan';

// Colours `text` when `stream` is a TTY and NO_COLOR is not set.
export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stderr): string {
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return text;
  if (!stream.isTTY && process.env['FORCE_COLOR'] === undefined) return text;
  return styleText(style, text);
}
