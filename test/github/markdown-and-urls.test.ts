import { describe, expect, it } from 'vitest';
import { renderSwarmOutputMarkdown } from '../../shared/github/markdown.js';
import { bodyCarriesCid } from '../../shared/github/pr-body.js';
import {
  formatPullRequestUrl,
  htmlBaseUrlForApi,
  parsePullRequestUrl,
} from '../../shared/github/pr-url.js';

const result = {
  job_id: 'swarms-abc123',
  status: 'success',
  swarm_name: 'Financial Analysis Swarm',
  description: 'Market analysis swarm',
  swarm_type: 'ConcurrentWorkflow',
  task: 'Analyze market trends for AI and tech sectors',
  output: [
    { role: 'Market Analyst', content: '## Findings\n\n- AI capex up\n- Chips tight' },
    { role: 'Risk *Officer*', content: 'Valuations are stretched.\r\nWatch rates.' },
  ],
  number_of_agents: 2,
  execution_time: 1.234,
  usage: {
    input_tokens: 120,
    output_tokens: 80,
    total_tokens: 200,
    billing_info: { cost_breakdown: {}, total_cost: 0.00123 },
  },
  final: 'Valuations are stretched.\nWatch rates.',
  providers: ['offline'],
};

describe('renderSwarmOutputMarkdown', () => {
  it('renders title, facts, task, each agent message under a heading, final answer and usage', () => {
    expect(renderSwarmOutputMarkdown(result)).toBe(
      [
        '# Financial Analysis Swarm',
        '',
        '- **Swarm type:** `ConcurrentWorkflow`',
        '- **Status:** success',
        '- **Job:** `swarms-abc123`',
        '- **Agent messages:** 2',
        '',
        '> Market analysis swarm',
        '',
        '## Task',
        '',
        'Analyze market trends for AI and tech sectors',
        '',
        '## Agent messages',
        '',
        '### 1. Market Analyst',
        '',
        '## Findings',
        '',
        '- AI capex up',
        '- Chips tight',
        '',
        '### 2. Risk \\*Officer\\*',
        '',
        'Valuations are stretched.',
        'Watch rates.',
        '',
        '## Final answer',
        '',
        'Valuations are stretched.',
        'Watch rates.',
        '',
        '## Usage',
        '',
        '| Metric | Value |',
        '| --- | ---: |',
        '| Input tokens | 120 |',
        '| Output tokens | 80 |',
        '| Total tokens | 200 |',
        '| Cost (USD) | $0.00123 |',
        '',
      ].join('\n'),
    );
  });

  it('is deterministic: same input → same bytes, whatever the key order of structured content', () => {
    const a = renderSwarmOutputMarkdown({ ...result, output: [{ role: 'Judge', content: { b: 1, a: [2, { d: 3, c: 4 }] } }] });
    const c = renderSwarmOutputMarkdown({ ...result, output: [{ content: { a: [2, { c: 4, d: 3 }], b: 1 }, role: 'Judge' }] });
    expect(a).toBe(c);
    expect(a).toContain('```json\n{\n  "a": [\n    2,\n    {\n      "c": 4,\n      "d": 3\n    }\n  ],\n  "b": 1\n}\n```');
    expect(renderSwarmOutputMarkdown(result)).toBe(renderSwarmOutputMarkdown(structuredClone(result)));
  });

  it('tolerates loose or partial input', () => {
    const md = renderSwarmOutputMarkdown({ output: [{ role: '', content: null }, { content: 'hi' }] });
    expect(md).toBe(
      [
        '# Swarm output',
        '',
        '- **Agent messages:** 2',
        '',
        '## Task',
        '',
        '_(not recorded)_',
        '',
        '## Agent messages',
        '',
        '### 1. Agent',
        '',
        '_(empty)_',
        '',
        '### 2. Agent',
        '',
        'hi',
        '',
        '## Final answer',
        '',
        '_(none)_',
        '',
      ].join('\n'),
    );
    expect(renderSwarmOutputMarkdown({ output: 'plain text output', final: 'x' })).toContain('## Agent messages\n\nplain text output\n');
    expect(renderSwarmOutputMarkdown({})).toContain('_(no messages)_');
  });

  it('keeps headings on one line, fences content with backticks safely, and lists failed agents', () => {
    const md = renderSwarmOutputMarkdown({
      swarm_name: 'Multi\nline # name',
      output: [{ role: 'A\nB', content: { code: '```' } }],
      errors: [{ agent_name: 'Flaky', message: 'timeout\nafter 30 s' }],
      final: 42,
    });
    expect(md.startsWith('# Multi line \\# name\n')).toBe(true);
    expect(md).toContain('### 1. A B\n');
    expect(md).toContain('````json\n{\n  "code": "```"\n}\n````');
    expect(md).toContain('## Failed agents\n\n- **Flaky:** timeout after 30 s\n');
    expect(md).toContain('## Final answer\n\n```json\n42\n```');
    expect(md.endsWith('\n')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(false);
  });
});

describe('PR URLs', () => {
  it('parses the canonical GitHub form', () => {
    expect(parsePullRequestUrl('https://github.com/koii-network/builder-247/pull/301')).toEqual({
      ok: true,
      owner: 'koii-network',
      name: 'builder-247',
      number: 301,
    });
    expect(parsePullRequestUrl('https://github.com/a/repo.name_x-1/pull/2147483647')).toMatchObject({ ok: true, number: 2147483647 });
    expect(parsePullRequestUrl('https://github.com/a/b/pull/2147483648')).toMatchObject({ ok: false });
    expect(parsePullRequestUrl('https://github.com/a/../pull/1')).toMatchObject({ ok: false });
    expect(parsePullRequestUrl('https://github.com/a/./pull/1')).toMatchObject({ ok: false });
    expect(parsePullRequestUrl('https://github.com/-a/b/pull/1')).toMatchObject({ ok: false });
    expect(parsePullRequestUrl('https://github.com/a--b/c/pull/1')).toMatchObject({ ok: false });
  });

  it('round-trips with formatPullRequestUrl under another web base (GitHub Enterprise layout)', () => {
    const ref = { owner: 'acme', name: 'widgets', number: 7 };
    const url = formatPullRequestUrl(ref, 'https://ghe.example/');
    expect(url).toBe('https://ghe.example/acme/widgets/pull/7');
    expect(parsePullRequestUrl(url, { htmlBaseUrl: 'https://ghe.example' })).toEqual({ ok: true, ...ref });
    expect(parsePullRequestUrl(url)).toMatchObject({ ok: false });
    const sub = formatPullRequestUrl(ref, 'http://127.0.0.1:8080/git');
    expect(parsePullRequestUrl(sub, { htmlBaseUrl: 'http://127.0.0.1:8080/git/' })).toEqual({ ok: true, ...ref });
    expect(parsePullRequestUrl('http://127.0.0.1:8080/acme/widgets/pull/7', { htmlBaseUrl: 'http://127.0.0.1:8080/git' })).toMatchObject({ ok: false });
  });

  it('derives the web base from the API base', () => {
    expect(htmlBaseUrlForApi('https://api.github.com')).toBe('https://github.com');
    expect(htmlBaseUrlForApi('https://api.github.com/')).toBe('https://github.com');
    expect(htmlBaseUrlForApi('https://ghe.example/api/v3')).toBe('https://ghe.example');
    expect(htmlBaseUrlForApi('http://127.0.0.1:9/api/v3/')).toBe('http://127.0.0.1:9');
    expect(htmlBaseUrlForApi('http://127.0.0.1:9')).toBeUndefined();
    expect(htmlBaseUrlForApi('nonsense')).toBeUndefined();
  });
});

describe('bodyCarriesCid', () => {
  const cid = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e';
  it('finds the CID as a whole token', () => {
    expect(bodyCarriesCid(`Submission CID: ${cid}`, cid)).toBe(true);
    expect(bodyCarriesCid(`[proof](https://ipfs.io/ipfs/${cid})`, cid)).toBe(true);
    expect(bodyCarriesCid(`${cid}x ${cid}`, cid)).toBe(true);
    expect(bodyCarriesCid(cid, cid)).toBe(true);
  });
  it('rejects partial, embedded, empty or odd inputs', () => {
    expect(bodyCarriesCid(`${cid}x`, cid)).toBe(false);
    expect(bodyCarriesCid(`x${cid}`, cid)).toBe(false);
    expect(bodyCarriesCid(cid.slice(1), cid)).toBe(false);
    expect(bodyCarriesCid(null, cid)).toBe(false);
    expect(bodyCarriesCid('anything', '')).toBe(false);
    expect(bodyCarriesCid('a.b', '.')).toBe(false);
  });
});
