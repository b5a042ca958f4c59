import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../../src/cli/main.ts';
import { breakingChanges, diffInstruments, type Change } from '../../src/instrument/diff.ts';
import { Instrument } from '../../src/instrument/schema.ts';
import { captureIo } from '../support/io.ts';

const OLD = `
id: study
version: "1.0"
title: A study
kind: individual
source: Written for this test.
pages:
  - id: p1
    title: First
    questions:
      - { id: sector, type: single, text: Which sector?, options: { public: Public, private: Private, voluntary: Voluntary } }
      - { id: tier, type: single, text: Which tier?, options: { front: Front line, senior: Senior } }
      - { id: staff, type: number, text: How many staff?, min: 0 }
      - id: activities
        type: matrix
        text: Which have you been offered?
        rows: { coaching: Coaching, mentoring: Mentoring }
        options: { never: Never offered, offered: Offered, took: Took part }
      - { id: agree, type: scale, text: How far do you agree?, options: { low: Not at all, mid: Somewhat, high: Fully } }
      - { id: notes, type: text, text: Anything else? }
      - { id: gone, type: longtext, text: A question dropped later }
  - id: p2
    title: Second
    questions:
      - { id: barriers, type: multiple, text: What gets in the way?, options: { time: Time, money: Money, none: { label: None of these, exclusive: true } } }
`;

const NEW = `
id: study
version: "2.0"
title: A study
kind: individual
source: Written for this test.
pages:
  - id: p1
    title: First
    questions:
      - { id: tier, type: single, text: Which tier?, options: { front: Front line, senior: Senior } }
      - { id: sector, type: single, text: Which sector do you work in?, hint: Your main job., options: { public: Public, private: Private, voluntary: Voluntary } }
      - { id: staff, type: number, text: How many staff?, min: 1 }
      - id: activities
        type: matrix
        text: Which have you been offered?
        rows: { coaching: Coaching, mentoring: Mentoring by a peer, networking: Networking }
        options: { never: Never offered, offered: Offered, took: Took part }
      - { id: agree, type: scale, text: How far do you agree?, options: { high: Fully, mid: Somewhat, low: Not at all } }
      - { id: notes, type: longtext, text: Anything else? }
      - { id: fresh, type: single, text: A new question, options: { yes: Yes, no: No } }
  - id: p2
    title: Second
    questions:
      - { id: barriers, type: multiple, text: What gets in the way?, required: true, show_if: "tier = 'senior'", options: { time: Time, money: Money or funding, other: Something else } }
`;

const instrument = (text: string) => Instrument.parse(parse(text));
const kinds = (changes: Change[]) => changes.map((c) => c.kind);

describe('comparing two versions of an instrument', () => {
  const diff = diffInstruments(instrument(OLD), instrument(NEW));
  const of = (id: string) => diff.questions.find((q) => q.id === id)!;

  it('lists the new version’s questions in order, then those it no longer has', () => {
    expect(diff.questions.map((q) => q.id)).toEqual(['tier', 'sector', 'staff', 'activities', 'agree', 'notes', 'fresh', 'barriers', 'gone']);
    expect(diff.from).toEqual({ id: 'study', version: '1.0' });
    expect(diff.to).toEqual({ id: 'study', version: '2.0' });
  });

  it('keeps a question that only moved comparable', () => {
    expect(of('tier')).toEqual({ id: 'tier', comparable: true, changes: [{ kind: 'moved', from: { page: 'p1', position: 2 }, to: { page: 'p1', position: 1 } }] });
  });

  it('marks a reworded question not comparable, whatever else changed beside its wording', () => {
    expect(kinds(of('sector').changes)).toEqual(['moved', 'reworded', 'hint']);
    expect(of('sector').changes[1]).toEqual({ kind: 'reworded', from: 'Which sector?', to: 'Which sector do you work in?' });
    expect(of('sector').comparable).toBe(false);
  });

  it('marks a changed range, a new type and reordered scale points not comparable', () => {
    expect(of('staff')).toMatchObject({ comparable: false, changes: [{ kind: 'limits', from: 'number, min 0', to: 'number, min 1' }] });
    expect(of('notes')).toMatchObject({ comparable: false, changes: [{ kind: 'type', from: 'text', to: 'longtext' }] });
    expect(of('agree')).toMatchObject({ comparable: false, changes: [{ kind: 'options-reordered' }] });
  });

  it('tells added, removed and relabelled options apart, and a changed show_if, from being newly required', () => {
    expect(of('barriers').changes).toEqual([
      { kind: 'option-relabelled', option: 'money', from: 'Money', to: 'Money or funding' },
      { kind: 'option-added', option: 'other' },
      { kind: 'option-removed', option: 'none' },
      { kind: 'show-if', from: null, to: "tier = 'senior'" },
      { kind: 'required', from: false, to: true },
    ]);
    expect(of('barriers').comparable).toBe(false);
  });

  it('takes a relabelled matrix row as a change of meaning, and an added row as none', () => {
    expect(of('activities').changes).toEqual([
      { kind: 'row-relabelled', row: 'mentoring', from: 'Mentoring', to: 'Mentoring by a peer' },
      { kind: 'row-added', row: 'networking' },
    ]);
    expect(of('activities').comparable).toBe(false);
    const onlyAdded = diffInstruments(instrument(OLD), instrument(OLD.replace('mentoring: Mentoring }', 'mentoring: Mentoring, networking: Networking }')));
    expect(onlyAdded.questions.find((q) => q.id === 'activities')).toEqual({ id: 'activities', comparable: true, changes: [{ kind: 'row-added', row: 'networking' }] });
  });

  it('judges one matrix row on its own changes: another row relabelled does not count, the row itself being new does', () => {
    const activities = of('activities');
    expect(breakingChanges(activities, 'coaching')).toEqual([]);
    expect(breakingChanges(activities, 'mentoring')).toEqual([{ kind: 'row-relabelled', row: 'mentoring', from: 'Mentoring', to: 'Mentoring by a peer' }]);
    expect(breakingChanges(activities, 'networking')).toEqual([{ kind: 'row-added', row: 'networking' }]);
    expect(breakingChanges(activities)).toEqual([{ kind: 'row-relabelled', row: 'mentoring', from: 'Mentoring', to: 'Mentoring by a peer' }]);
    expect(breakingChanges(of('sector'))).toEqual([{ kind: 'reworded', from: 'Which sector?', to: 'Which sector do you work in?' }]);
  });

  it('marks new and removed questions, which have nothing to compare with', () => {
    expect(of('fresh')).toEqual({ id: 'fresh', comparable: false, changes: [{ kind: 'added', page: 'p1' }] });
    expect(of('gone')).toEqual({ id: 'gone', comparable: false, changes: [{ kind: 'removed', page: 'p1' }] });
  });

  it('finds nothing between a version and itself', () => {
    expect(diffInstruments(instrument(NEW), instrument(NEW)).questions.every((q) => q.changes.length === 0 && q.comparable)).toBe(true);
  });
});

describe('tapestry survey diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapestry-diff-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'old.yaml'), OLD);
  writeFileSync(join(dir, 'new.yaml'), NEW);
  writeFileSync(join(dir, 'other.yaml'), NEW.replace('id: study', 'id: another'));

  it('prints each changed question with whether its trend holds, and the same as JSON', async () => {
    const io = captureIo({ cwd: dir });
    expect(await run(['survey', 'diff', 'old.yaml', 'new.yaml'], io)).toBe(0);
    const lines = io.stdout().split('\n');
    expect(lines[0]).toBe('study 1.0 → 2.0: 9 questions changed, 0 unchanged');
    expect(lines.find((l) => l.startsWith('tier '))).toMatch(/^tier +comparable +moved from p1 #2 to p1 #1$/);
    expect(lines.find((l) => l.startsWith('gone '))).toMatch(/^gone +NOT comparable +removed \(was on page p1\)$/);
    expect(io.stdout()).toContain('option `money` relabelled: "Money" → "Money or funding"');
    const json = captureIo({ cwd: dir });
    expect(await run(['survey', 'diff', 'old.yaml', 'new.yaml', '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual(JSON.parse(JSON.stringify(diffInstruments(instrument(OLD), instrument(NEW)))));
  });

  it('refuses to compare two different instruments, and a broken file at its line', async () => {
    const io = captureIo({ cwd: dir });
    expect(await run(['survey', 'diff', 'old.yaml', 'other.yaml'], io)).toBe(1);
    expect(io.stderr()).toBe('tapestry: other.yaml is instrument another, not study: compare two versions of one instrument\n');
    writeFileSync(join(dir, 'broken.yaml'), NEW.replace('type: scale', 'type: scael'));
    const broken = captureIo({ cwd: dir });
    expect(await run(['survey', 'diff', 'old.yaml', 'broken.yaml'], broken)).toBe(1);
    expect(broken.stderr()).toMatch(/broken\.yaml:\d+: /);
  });
});
