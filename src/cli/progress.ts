// Renders bench events: an ora spinner on a TTY, plain lines otherwise, JSON lines with --json.
// All on stderr (stdout carries results). The only module besides report/ that draws progress.
import ora, { type Ora } from 'ora';
import type { BenchEvent } from '../bench/index.js';
import { paint } from './color.js';

export interface ProgressOptions {
  json: boolean;
  tty: boolean;
  verbose: boolean;
}

// Returns the event handler and a stop function that clears any spinner.
export function createBenchProgress(options: ProgressOptions): { onEvent: (event: BenchEvent) => void; stop: () => void } {
  let spinner: Ora | undefined;
  let lastPercent = -1;
  const line = (text: string) => {
    if (spinner !== undefined) spinner.clear();
    process.stderr.write(`${options.verbose ? `[${new Date().toISOString()}] ` : ''}${text}\n`);
    spinner?.render();
  };
  const onEvent = (event: BenchEvent): void => {
    if (options.json) {
      process.stderr.write(`${JSON.stringify(event)}\n`);
      return;
    }
    switch (event.kind) {
      case 'warning':
        line(`${paint('yellow', 'warning')}: ${event.message}`);
        return;
      case 'agent-started':
        line(`[${event.device}] agent started (pid ${event.pid}, port ${event.port})`);
        return;
      case 'device-connected':
        if (options.verbose) line(`[${event.device}] connected, ${event.experts} experts`);
        return;
      case 'device-down':
        line(`[${event.device}] ${paint('yellow', 'down')} in layer ${event.layer}: ${event.reason}; reconnecting in the background`);
        return;
      case 'device-reconnected':
        line(`[${event.device}] reconnected after ${(event.downMs / 1000).toFixed(1)} s (${event.attempts} attempt${event.attempts === 1 ? '' : 's'}); in use again`);
        return;
      case 'run-start':
        line(`run folder: ${event.runDir}${event.resumed > 0 ? ` (resuming: ${event.resumed} of ${event.items} already done)` : ''}`);
        if (options.tty) spinner = ora({ text: `bench 0/${event.items}`, stream: process.stderr }).start();
        return;
      case 'item-done': {
        const text = `bench ${event.done}/${event.total}  ${event.dataset}/${event.id} ${event.policy} ${event.correct ? 'correct' : 'wrong'} ${event.latencyMs.toFixed(1)} ms`;
        if (spinner !== undefined) {
          spinner.text = text;
          return;
        }
        const percent = Math.floor((event.done / event.total) * 10);
        if (options.verbose || percent !== lastPercent || event.done === event.total) {
          lastPercent = percent;
          line(text);
        }
        return;
      }
    }
  };
  return {
    onEvent,
    stop: () => {
      spinner?.stop();
      spinner = undefined;
    },
  };
}
