// The whole audit in Chromium, in one partnership from an empty data directory to the board's
// workbook (issue 9 "Done when"): the QA lead creates an audit, uploads the extracts (one file with
// an error, shown, then fixed), samples and assigns; an auditor completes a return, confirms one
// flag and dismisses another; the QA lead returns it with a comment; the auditor resubmits; the
// QA lead accepts it, discusses, moderates and locks the case; a board member downloads the
// workbook, which the test opens. Only the other agencies' returns of the case are completed
// through the CLI, so the discussion can start. Each step is read back through the CLI.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as e2e from './support.mjs';

let partnership, server, browser, qa;
let review;  // the return the auditor works on (CLI list item)

before(async () => {
  partnership = new e2e.Partnership({imported: false});
  server = await e2e.startServer(partnership);
  browser = await e2e.launchBrowser(partnership);
  qa = await e2e.newPage(browser, server);
  await e2e.signIn(qa, 'qa');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  partnership?.remove();
});

const show = (id) => partnership.json(['review', 'show', String(id), '--as', 'qa']);

test('the QA lead creates the audit', async () => {
  await e2e.screen(qa, 'Audits');
  await qa.getByRole('link', {name: 'Create an audit'}).click();
  await e2e.screen(qa, 'Create an audit');
  await qa.getByLabel('Title').fill('Whole-flow audit');
  const start = qa.getByRole('group', {name: 'Period start'});
  await start.getByLabel('Day').fill('1');
  await start.getByLabel('Month').fill('1');
  await start.getByLabel('Year').fill('2022');
  const end = qa.getByRole('group', {name: 'Period end'});
  await end.getByLabel('Day').fill('31');
  await end.getByLabel('Month').fill('12');
  await end.getByLabel('Year').fill('2027');
  await qa.getByRole('button', {name: 'Create audit'}).click();
  await qa.getByText('Audit 1 created').waitFor();
  assert.equal(partnership.json(['audit', 'list'])[0].title, 'Whole-flow audit');
});

test('the QA lead uploads the extracts: one with an error is refused whole, then fixed', async () => {
  const extracts = partnership.extracts();
  const police = extracts.find((f) => f.endsWith('events-POLICE.csv'));
  const lines = fs.readFileSync(police, 'utf8').split('\n');
  // A date of birth that is no date: an identifying field, so the error may name its place only.
  const dobColumn = lines[0].split(',').indexOf('dob');
  const row = lines[1].split(',');
  row[dobColumn] = '2019-02-30';
  lines[1] = row.join(',');
  const bad = path.join(partnership.dir, 'bad');
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, 'events-POLICE.csv'), lines.join('\n'));

  await qa.getByRole('link', {name: 'Upload extracts'}).click();
  await e2e.screen(qa, 'Upload extracts');
  await qa.getByLabel('Agency extracts (CSV)')
    .setInputFiles([path.join(bad, 'events-POLICE.csv'), ...extracts.filter((f) => f !== police)]);
  await qa.getByRole('button', {name: 'Upload and import'}).click();
  const summary = qa.locator('.govuk-error-summary').filter({hasText: 'The import was refused'});
  await summary.waitFor();
  assert.match(await summary.innerText(), new RegExp(`events-POLICE\\.csv:2:${dobColumn + 1}: dob`));
  assert.doesNotMatch(await qa.locator('main').innerText(), /2019-02-30/, 'the value is never shown');
  assert.deepEqual(partnership.json(['links']), [], 'nothing was stored');

  await qa.getByLabel('Agency extracts (CSV)').setInputFiles(extracts);
  await qa.getByRole('button', {name: 'Upload and import'}).click();
  await qa.getByText(`Imported ${extracts.length} files`).waitFor();
  assert.ok(partnership.json(['links']).length > 0);
  qa.assertClean();
});

test('the QA lead draws the sample and assigns it', async () => {
  await qa.getByRole('link', {name: 'Audits'}).click();
  await qa.getByRole('link', {name: 'Whole-flow audit'}).click();
  await e2e.screen(qa, 'Whole-flow audit');
  await qa.getByLabel('Sample size').fill('4');
  await qa.getByLabel('Seed').fill('3');
  await qa.getByLabel('Flagged children to include first').fill('2');
  await qa.getByRole('button', {name: 'Draw the sample'}).click();
  await qa.getByText(/Sample 1 drawn: 4 of \d+ children/).waitFor();
  await qa.getByRole('button', {name: 'Assign the sample'}).click();
  await qa.getByText(/Assigned: \d+ returns created/).waitFor();
  const returns = partnership.json(['review', 'list', '--audit', '1']);
  assert.ok(returns.length >= 4);
  // The auditor with the most flags on their cases works on one of their returns.
  const auditors = [...new Set(returns.map((r) => r.auditor).filter(Boolean))];
  const flagCount = Object.fromEntries(auditors.map((a) => [a, partnership.json(['flags', '--as', a]).length]));
  const auditor = auditors.sort((a, b) => flagCount[b] - flagCount[a])[0];
  assert.ok(flagCount[auditor] >= 2, 'an auditor has two flags to decide (two flagged children drawn)');
  review = returns.find((r) => r.auditor === auditor);
  qa.assertClean();
});

// Fills one question of the generated form by its type (ids are the form's, dots as `--`).
async function fill(page, q) {
  const id = `q-${q.id.replace(/\./g, '--')}`;
  if (['grade', 'yes_no_na', 'choice', 'multi_choice'].includes(q.type)) await page.locator(`#${id}`).check();
  else if (q.type === 'date') await page.locator(`#${id}`).fill('2024-03-04');
  else await page.locator(`#${id}`).fill(`Synthetic example answer for ${q.id}.`);
}

test('the auditor completes the return, confirms one flag and dismisses another', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, review.auditor);
  await e2e.screen(page, 'My returns');
  await page.getByRole('link', {name: `Return ${review.id}`, exact: true}).click();
  await e2e.screen(page, `Return ${review.id}`);
  const form = (await e2e.pageApi(page, 'GET', `/reviews/${review.id}/form`)).body;
  const sections = [...new Set(form.questions.map((q) => q.section))];
  for (const s of sections.slice(1)) await page.locator(`#na-${s}`).check();
  for (const q of form.questions.filter((x) => x.section === sections[0] && x.required)) await fill(page, q);
  await page.getByRole('button', {name: 'Submit'}).click();
  await e2e.success(page, `Return ${review.id} submitted`);
  assert.equal(show(review.id).state, 'submitted');

  const flags = partnership.json(['flags', '--as', review.auditor]);
  const cases = Object.fromEntries(partnership.json(['review', 'list', '--as', review.auditor])
    .map((r) => [r.child_key, r.case]));
  for (const [flag, action, status] of [[flags[0], 'Confirm', 'confirmed'], [flags[1], 'Dismiss', 'dismissed']]) {
    await page.goto(`/#/cases/${cases[flag.child_key]}/chronology`);
    await e2e.screen(page, 'Case chronology');
    const panel = page.locator(`#flag-${flag.id}`);
    await panel.getByLabel(`Your reason for confirming or dismissing flag ${flag.id}`)
      .fill(`Synthetic example: the auditor ${status} this flag from the records.`);
    await panel.getByRole('button', {name: `${action} flag ${flag.id}`}).click();
    await e2e.success(page, `Flag ${flag.id} ${status}.`);
  }
  const decided = Object.fromEntries(partnership.json(['flags', '--as', 'qa']).map((f) => [f.id, f.status]));
  assert.equal(decided[flags[0].id], 'confirmed');
  assert.equal(decided[flags[1].id], 'dismissed');
  page.assertClean();
  await page.context().close();
});

test('the QA lead returns it with a comment, the auditor resubmits, the QA lead accepts', async () => {
  await qa.goto(`/#/reviews/${review.id}`);
  await e2e.screen(qa, `Return ${review.id}`);
  await qa.locator('#comment-concern_arises--grade').fill('Synthetic example: which record shows this?');
  await qa.getByRole('button', {name: 'Return to auditor'}).click();
  await e2e.success(qa, `Return ${review.id} returned to ${review.auditor} with 1 comment`);
  assert.equal(show(review.id).state, 'returned');

  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, review.auditor);
  await page.goto(`/#/reviews/${review.id}`);
  await e2e.screen(page, `Return ${review.id}`);
  await page.locator('.app-qa-comment').filter({hasText: 'which record shows this?'}).waitFor();
  await page.locator('#q-concern_arises--evidence').fill('Synthetic example: the contact record of 2024-03-04.');
  await page.getByRole('button', {name: 'Resubmit'}).click();
  await e2e.success(page, `Return ${review.id} resubmitted`);
  assert.equal(show(review.id).state, 'resubmitted');
  page.assertClean();
  await page.context().close();

  // From the review queue, where the resubmitted return waits.
  await qa.getByRole('navigation', {name: 'Menu'}).getByRole('link', {name: 'Returns'}).click();
  await e2e.screen(qa, 'Returns');
  await qa.getByRole('row').filter({hasText: `Return ${review.id}`}).filter({hasText: 'Resubmitted'}).waitFor();
  await qa.getByRole('link', {name: `Return ${review.id}`, exact: true}).click();
  await e2e.screen(qa, `Return ${review.id}`);
  await qa.getByRole('button', {name: 'Accept', exact: true}).click();
  await e2e.success(qa, `Return ${review.id} accepted.`);
  assert.equal(show(review.id).state, 'accepted');
  qa.assertClean();
});

test('the other agencies\' returns of the case are completed, then discussed, moderated and locked', async () => {
  // Through the CLI: one auditor per agency would otherwise sign in and do what the test did above.
  for (const r of partnership.json(['review', 'list', '--case', String(review.case)])) {
    if (r.id === review.id) continue;
    const form = partnership.run(['review', 'form', r.id, '--as', r.auditor, '--format', 'json']).stdout;
    const answers = spawnSync('/usr/bin/python3', [path.join(e2e.root, 'scripts/demo-answers')],
                              {input: form, encoding: 'utf8'});
    assert.equal(answers.status, 0, answers.stderr);
    partnership.run(['review', 'answer', r.id, '--file', '-', '--as', r.auditor], {input: answers.stdout});
    partnership.run(['review', 'submit', r.id, '--as', r.auditor]);
    partnership.run(['review', 'accept', r.id, '--as', 'qa']);
  }
  const caseState = () => e2e.field(partnership.json(['review', 'case', String(review.case), '--as', 'qa']),
                                    'state');

  await qa.goto(`/#/cases/${review.case}`);
  await e2e.screen(qa, `Case ${review.case}`);
  const held = qa.getByRole('group', {name: 'Date of the discussion'});
  await held.getByLabel('Day').fill('1');
  await held.getByLabel('Month').fill('12');
  await held.getByLabel('Year').fill('2026');
  await qa.getByLabel('Learning', {exact: true}).fill('Synthetic learning: the strategy discussion had no health agency.');
  await qa.getByRole('button', {name: 'Record the discussion'}).click();
  await qa.getByText(`Discussion recorded: case ${review.case} is discussed`).waitFor();
  assert.equal(caseState(), 'discussed');

  await qa.getByRole('button', {name: 'Moderate the case'}).click();
  await qa.getByText(new RegExp(`Case ${review.case} moderated`)).waitFor();
  assert.equal(caseState(), 'moderated');

  await qa.getByRole('button', {name: 'Lock the case and its returns'}).click();
  await qa.getByText(`Case ${review.case} locked with its returns`).waitFor();
  assert.equal(caseState(), 'locked');
  const states = partnership.json(['review', 'list', '--case', String(review.case)]).map((r) => r.state);
  assert.ok(states.every((s) => s === 'locked'));
  qa.assertClean();
});

test('the board workbook is requested with a reason, downloaded by the board and opened', async () => {
  await qa.getByRole('link', {name: 'Exports'}).click();
  await e2e.screen(qa, 'Exports');
  await qa.getByLabel('Board workbook').check();
  await qa.getByLabel('Reason for the export').fill('Whole-flow board meeting');
  await qa.getByRole('button', {name: 'Make the export'}).click();
  await qa.getByText(/Export \d+ made \(Board workbook/).waitFor();
  qa.assertClean();

  const board = await e2e.newPage(browser, server);
  await e2e.signIn(board, 'board');
  await e2e.screen(board, 'Exports');
  const [download] = await Promise.all([
    board.waitForEvent('download'),
    board.getByRole('button', {name: /^Download export \d+$/}).click(),
  ]);
  const file = path.join(partnership.dir, download.suggestedFilename());
  await download.saveAs(file);
  await board.getByText(/Export \d+ downloaded/).waitFor();
  // An independent reader opens it: the workbook of this audit, made for the reason given.
  const py = spawnSync('/usr/bin/python3', ['-c', [
    'import openpyxl, sys',
    'wb = openpyxl.load_workbook(sys.argv[1], read_only=True)',
    'print("\\n".join(wb.sheetnames))',
    'print("---")',
    'for row in wb["Cover"].iter_rows(values_only=True):',
    '    print(" | ".join("" if v is None else str(v) for v in row))',
  ].join('\n'), file], {encoding: 'utf8'});
  assert.equal(py.status, 0, py.stderr);
  const [sheets, cover] = py.stdout.split('---\n');
  assert.ok(sheets.split('\n').includes('Summary'));
  assert.match(cover, /Whole-flow board meeting/);
  assert.match(cover, /Whole-flow audit/);
  board.assertClean();
  await board.context().close();
});
