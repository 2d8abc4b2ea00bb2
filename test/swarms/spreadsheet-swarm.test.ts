import { describe, expect, it } from 'vitest';
import { runSwarm, SPREADSHEET_CSV_HEADER } from '../../server/swarms/index.js';
import { csvField, toCsv } from '../../server/swarms/csv.js';
import { agents, offlineHarness, saw } from './harness.js';

/** A small RFC 4180 reader, to check the CSV the swarm writes. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('SpreadSheetSwarm', () => {
  it('runs every agent max_loops times, all concurrently and independently, with real timestamps and a CSV', async () => {
    const task = 'Rate "Q3", briefly, please';
    const { providers, recorder } = offlineHarness({ latencyMs: 20 });
    const before = new Date().toISOString();
    const result = await runSwarm({ name: 'Sheet', agents: agents(['A', 'B', 'C']), task, swarm_type: 'SpreadSheetSwarm', max_loops: 2 }, { providers });
    const after = new Date().toISOString();
    const sheet = result.spreadsheet!;
    expect(recorder.maxInFlight).toBe(6);
    expect(recorder.calls.every((c) => c.input === task)).toBe(true);
    expect(sheet.outputs.map((o) => o.agent_name)).toEqual(['A', 'B', 'C', 'A', 'B', 'C']);
    expect(sheet).toMatchObject({ name: 'Sheet', agents: ['A', 'B', 'C'], tasks_completed: 6, number_of_agents: 3 });
    for (const output of sheet.outputs) {
      expect(saw(output.result)).toEqual([]);
      expect(output.timestamp >= before && output.timestamp <= after).toBe(true);
    }
    expect(sheet.start_time <= sheet.end_time).toBe(true);
    const rows = readCsv(sheet.csv);
    expect(rows[0]).toEqual([...SPREADSHEET_CSV_HEADER]);
    expect(rows.slice(1)).toEqual(sheet.outputs.map((o) => [sheet.run_id, o.agent_name, task, o.result, o.timestamp]));
    expect(result.final).toBe(sheet.csv);
    expect(result.output.map((m) => m.role)).toEqual(['A', 'B', 'C', 'A', 'B', 'C']);
  });
});

describe('CSV quoting', () => {
  it('quotes fields with commas, quotes or line breaks and doubles embedded quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(toCsv(['x', 'y'], [['1', 'a,b']])).toBe('x,y\r\n1,"a,b"\r\n');
  });
});
