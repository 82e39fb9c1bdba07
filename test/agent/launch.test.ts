// agent/launch.ts: the flags every starter passes, and the ready and error lines every starter reads. The
// flags are checked against what both runtimes' parsers accept (wdmoe agent through commander in the e2e
// tests; python -m wdmoe_agent in test/python-agent/); here the order, the optional flags and the parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentErrorLine, agentLaunchFlags, hasReadyLine, READY_LINE_PREFIX } from '../../src/agent/launch.js';
import type { AgentReady } from '../../src/agent/run-agent.js';

test('agentLaunchFlags: the required flags in order, optional ones only when given', () => {
  assert.deepEqual(agentLaunchFlags({ modelDir: 'm', device: 'd0', experts: ['0.1', '1.1'], host: '10.0.0.2', port: 47100 }),
    ['--model', 'm', '--device', 'd0', '--experts', '0.1,1.1', '--host', '10.0.0.2', '--port', '47100']);
  assert.deepEqual(agentLaunchFlags({ modelDir: 'm', device: 'd0', experts: 'all', host: '127.0.0.1', port: 0, tokenFile: 't', threads: 2, parentPid: 7 }),
    ['--model', 'm', '--device', 'd0', '--experts', 'all', '--host', '127.0.0.1', '--port', '0', '--token-file', 't', '--threads', '2', '--parent-pid', '7']);
  assert.deepEqual(agentLaunchFlags({ modelDir: 'm', device: 'd', experts: [], host: 'h', port: 1 }).slice(4, 6), ['--experts', '']);
});

test('hasReadyLine finds the line the agent prints (its AgentReady JSON) and nothing else', () => {
  const ready: AgentReady = { event: 'ready', device: 'd0', host: '127.0.0.1', port: 47100, pid: 42, experts: 4 };
  const line = JSON.stringify(ready);
  assert.ok(line.startsWith(READY_LINE_PREFIX), 'the prefix is what JSON.stringify of AgentReady starts with');
  assert.ok(hasReadyLine(`loading\n${line}\n`));
  assert.ok(!hasReadyLine('loading\n  {"event":"ready"}\n'), 'only at a line start');
  assert.ok(!hasReadyLine('{"event":"readying"\n'.replace('"readying"', '"other"')));
  assert.ok(!hasReadyLine(''));
});

test('agentErrorLine: the first error[code] line, without the device prefix the caller adds itself', () => {
  assert.deepEqual(agentErrorLine('x\nerror[bundle-sha256]: device d0: expert 0.1 does not match its sha256\nerror[other]: y', 'd0'),
    { code: 'bundle-sha256', message: 'expert 0.1 does not match its sha256' });
  assert.deepEqual(agentErrorLine('error[port-in-use]: device d1: 127.0.0.1:1 is already in use', 'd0'),
    { code: 'port-in-use', message: 'device d1: 127.0.0.1:1 is already in use' }, 'another device\'s prefix is kept');
  assert.equal(agentErrorLine('Traceback\n  error[x]: indented', 'd0'), undefined);
});
