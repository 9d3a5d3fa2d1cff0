import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../common/log';
import { scrubText } from '../../common/log-scrub';
import { createRendererLogSink } from './renderer-log';

describe('renderer log sink', () => {
  it('main masks digit runs, clips, rate-limits to 30 a minute and says how many it dropped', () => {
    let now = 0;
    const log = memoryLogger();
    const sink = createRendererLogSink(log, () => now);
    sink.report({ level: 'warn', msg: 'code 514-555-0199 refused, appointment AB12 3456', source: 'console' });
    expect(log.lines[0]).toEqual({ level: 'warn', msg: 'code [number] refused, appointment AB[number]', fields: { source: 'console' } });
    expect(scrubText('x'.repeat(1000))).toHaveLength(301);
    for (let i = 0; i < 40; i++) sink.report({ level: 'error', msg: `loop ${i}`, source: 'console' });
    expect(log.lines).toHaveLength(30);
    now += 60_000;
    sink.report({ level: 'error', msg: 'later', source: 'console' });
    expect(log.lines.slice(-2)).toEqual([
      { level: 'warn', msg: 'renderer log lines dropped (more than 30 a minute)', fields: { dropped: 11 } },
      { level: 'error', msg: 'later', fields: { source: 'console' } },
    ]);
  });
});
