// The lab pages (labs/), one per scenario of kit/scenarios.ts: each names what `npm run scenario`
// prints (board, panel, alert), has every section a facilitator needs, keeps the answer folded,
// and the README's walkthrough links them.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOARDS } from '../kit/boards.ts';
import { SCENARIOS, SCENARIO_NAMES, labPage } from '../kit/scenarios.ts';
import { readText } from './stack-files.ts';

const SECTIONS = [
  '## Start it',
  '## The symptom',
  '## Questions',
  '## Where to look',
  '## Hints',
  '## Answer',
  '## Turn it off',
];

describe('labs/', () => {
  it('has exactly one page per scenario, plus its README', () => {
    const pages = readdirSync('labs').filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pages.sort()).toEqual(SCENARIO_NAMES.map((name) => labPage(name).replace('labs/', '')).sort());
  });

  it.each(SCENARIO_NAMES.map((name) => [name]))(
    '%s: story, start, symptom, questions, where to look, hints, folded answer, off',
    (name) => {
      const page = readText(labPage(name));
      const scenario = SCENARIOS[name];
      expect(page).toMatch(/\*\*Story\.\*\*/);
      let at = -1;
      for (const section of SECTIONS) {
        const next = page.indexOf(`\n${section}`);
        expect(next, `${name}: "${section}" after the previous section`).toBeGreaterThan(at);
        at = next;
      }
      expect(page).toContain(`npm run scenario -- ${name} on`);
      expect(page).toContain(`npm run scenario -- ${name} off`);
      expect(page).toContain('npm run load');
      expect(page).toContain(BOARDS[scenario.board].title);
      expect(page).toContain(scenario.panel);
      expect(page).toContain(scenario.alert);
      if (scenario.sloAlert) expect(page).toContain(scenario.sloAlert);
      // The answer is folded away.
      const answer = page.slice(page.indexOf('\n## Answer'), page.indexOf('\n## Turn it off'));
      expect(answer).toMatch(/<details><summary>[^<]+<\/summary>[\s\S]+<\/details>/);
      expect(page.match(/<details>/g)?.length).toBe(page.match(/<\/details>/g)?.length);
    },
  );

  it('the index links every page, and the README walkthrough links the index', () => {
    const index = readText('labs/README.md');
    for (const name of SCENARIO_NAMES) expect(index).toContain(`](${name}.md)`);
    const walkthrough = readText('README.md').split('## Workshop walkthrough')[1]?.split('\n## ')[0] ?? '';
    expect(walkthrough).toContain('(labs/README.md)');
  });
});
