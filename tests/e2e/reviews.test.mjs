// A return from start to finish in Chromium: the auditor's list, the form generated from the
// template (save a draft, a missing answer in the error summary whose link focuses the field,
// submit), the case chronology with one flag confirmed and another dismissed, a live concern;
// then the QA lead's review queue, returning it with a comment, the auditor seeing the comment and
// resubmitting, and the QA lead accepting it. Each step is read back through the CLI.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from './support.mjs';

let partnership, server, browser;
let review;  // the CSC return the test works on (CLI list item)

before(async () => {
  partnership = new e2e.Partnership();
  e2e.reviewAudit(partnership);
  server = await e2e.startServer(partnership);
  browser = await e2e.launchBrowser(partnership);
  review = partnership.json(['review', 'list', '--as', 'csc.1'])[0];
});

after(async () => {
  await browser?.close();
  await server?.stop();
  partnership?.remove();
});

const show = (id, as) => partnership.json(['review', 'show', String(id), '--as', as]);
const byQuestion = (r) => Object.fromEntries(r.answers.map((a) => [a.question, a]));

// Fills one question of the generated form by its type (ids are the form's, dots as `--`).
async function fill(page, q) {
  const id = `q-${q.id.replace(/\./g, '--')}`;
  if (['grade', 'yes_no_na', 'choice'].includes(q.type)) await page.locator(`#${id}`).check();
  else if (q.type === 'multi_choice') await page.locator(`#${id}`).check();
  else if (q.type === 'date') await page.locator(`#${id}`).fill('2024-03-04');
  else await page.locator(`#${id}`).fill(`Synthetic example answer for ${q.id}.`);
}

test('the auditor sees only their returns and opens one', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'csc.1');
  await e2e.screen(page, 'My returns');
  const mine = partnership.json(['review', 'list', '--as', 'csc.1']);
  const rows = page.locator('main table tbody tr');
  assert.equal(await rows.count(), mine.length);
  for (const r of mine) await page.getByRole('link', {name: `Return ${r.id}`, exact: true}).waitFor();
  assert.match(await page.locator('main table').innerText(), /Assigned/);
  await e2e.check(page, 'auditor-returns');
  await page.getByRole('link', {name: `Return ${review.id}`, exact: true}).click();
  await e2e.screen(page, `Return ${review.id}`);
  page.assertClean();
  await page.context().close();
});

test('the auditor saves a draft, a missing answer is linked to its field, and submits', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'csc.1');
  await page.goto(`/#/reviews/${review.id}`);
  await e2e.screen(page, `Return ${review.id}`);
  // A section per pathway stage, grades as radios in a fieldset with a legend.
  // Titled as the template words it, not by its id.
  await page.getByRole('heading', {name: '1.1 A concern arises', level: 2}).waitFor();
  const grade = page.locator('fieldset', {has: page.locator('#q-concern_arises--grade')});
  await grade.getByLabel('Requires improvement to be good', {exact: true}).waitFor();
  await grade.getByLabel('Good', {exact: true}).check();
  await page.getByLabel(/What good practice did you see in how the concern was noticed/)
    .fill('Synthetic example: the first record quotes the child.');
  await e2e.check(page, 'auditor-review-form');
  await page.getByRole('button', {name: 'Save draft'}).click();
  await e2e.success(page, 'Draft saved: 2 answers saved');
  let saved = byQuestion(show(review.id, 'csc.1'));
  assert.equal(saved['concern_arises.grade'].value, 'good');
  assert.equal(saved['concern_arises.good_practice'].value, 'Synthetic example: the first record quotes the child.');
  assert.equal(show(review.id, 'csc.1').state, 'in_progress');
  // The saved answers come back into the form.
  assert.equal(await grade.getByLabel('Good', {exact: true}).isChecked(), true);

  // Every section but the first does not apply; the first still has required questions open.
  const form = (await e2e.pageApi(page, 'GET', `/reviews/${review.id}/form`)).body;
  const sectionIds = [...new Set(form.questions.map((q) => q.section))];
  for (const s of sectionIds.slice(1)) await page.locator(`#na-${s}`).check();
  await page.getByRole('button', {name: 'Submit'}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  const howArose = form.questions.find((q) => q.id === 'concern_arises.how_arose');
  const link = summary.locator('a')
    .filter({hasText: `Answer "${howArose.text}", or mark its section not applicable`});
  await link.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('govuk-error-summary')), true,
               'focus moves to the error summary');
  await link.click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'q-concern_arises--how_arose',
               'the link focuses the question');
  await page.locator('.govuk-form-group--error').first().waitFor();
  await e2e.check(page, 'auditor-review-errors');
  // The not-applicable sections were saved before the submission was refused.
  assert.deepEqual(show(review.id, 'csc.1').not_applicable.sort(), sectionIds.slice(1).sort());
  assert.equal(show(review.id, 'csc.1').state, 'in_progress');
  // The screen was drawn again from what was saved: its count is the service's.
  const stillMissing = show(review.id, 'csc.1').missing_required.length;
  assert.ok(stillMissing > 0);
  assert.equal(await page.locator('.govuk-summary-list__row').filter({hasText: 'Required questions not answered'})
    .locator('dd').innerText(), String(stillMissing));
  assert.equal(await summary.locator('li').count(), stillMissing, 'one line per unanswered question');

  for (const q of form.questions.filter((x) => x.section === sectionIds[0] && x.required &&
                                               !['concern_arises.grade', 'concern_arises.good_practice']
                                                 .includes(x.id)))
    await fill(page, q);
  await page.getByRole('button', {name: 'Submit'}).click();
  await e2e.success(page, `Return ${review.id} submitted`);
  assert.equal(show(review.id, 'csc.1').state, 'submitted');
  assert.deepEqual(show(review.id, 'csc.1').missing_required, []);
  // Submitted: read only for the auditor.
  assert.equal(await page.getByRole('button', {name: 'Save draft'}).count(), 0);
  await page.getByText('you cannot change it now').waitFor();
  page.assertClean();
  await page.context().close();
});

test('the auditor confirms one flag and dismisses another on the case chronology', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'csc.1');
  const flags = partnership.json(['flags', '--as', 'csc.1']);
  assert.ok(flags.length >= 2, 'the sample has flagged children (--include-flagged 2)');
  const returns = Object.fromEntries(partnership.json(['review', 'list', '--as', 'csc.1'])
    .map((r) => [r.child_key, r]));
  const decisions = [[flags[0], 'confirm', 'confirmed'], [flags[1], 'dismiss', 'dismissed']];
  let first = true;
  for (const [flag, action, status] of decisions) {
    const verb = action === 'confirm' ? 'Confirm' : 'Dismiss';
    // From the return of the flag's case, by its link; the back link leads to the return again.
    const from = returns[flag.child_key];
    await page.goto(`/#/reviews/${from.id}`);
    await e2e.screen(page, `Return ${from.id}`);
    await page.getByRole('link', {name: 'Read the case chronology and its flags'}).click();
    await e2e.screen(page, 'Case chronology');
    assert.match(page.url(), new RegExp(`#/cases/${from.case}/chronology\\?review=${from.id}$`));
    await page.getByRole('link', {name: `Back to return ${from.id}`}).waitFor();
    // The flagged event is marked in words, with the flag's explanation.
    const flagged = page.locator('.moj-timeline__item.app-flagged').filter({hasText: `Flag ${flag.id},`});
    await flagged.first().waitFor();
    assert.match(await flagged.first().innerText(), /Flag/);
    assert.ok((await flagged.first().innerText()).includes(flag.detail));
    if (first) await e2e.check(page, 'auditor-chronology');
    const panel = page.locator(`#flag-${flag.id}`);
    // A decision needs a reason.
    await panel.getByRole('button', {name: `${verb} flag ${flag.id}`}).click();
    await page.locator('.govuk-error-summary').filter({hasText: `Enter your reason`}).waitFor();
    if (first) await e2e.check(page, 'auditor-chronology-errors');
    await panel.getByLabel(`Your reason for confirming or dismissing flag ${flag.id}`)
      .fill(`Synthetic example: the records ${action === 'confirm' ? 'show the gap' : 'show it was shared'}.`);
    await panel.getByRole('button', {name: `${verb} flag ${flag.id}`}).click();
    await e2e.success(page, `Flag ${flag.id} ${status}.`);
    // The new status, read again from the API, is on the screen.
    await page.locator(`#flag-${flag.id} .govuk-summary-list`)
      .filter({hasText: status === 'confirmed' ? 'Confirmed' : 'Dismissed'}).waitFor();
    first = false;
  }
  const after = Object.fromEntries(partnership.json(['flags', '--as', 'qa']).map((f) => [f.id, f.status]));
  assert.equal(after[flags[0].id], 'confirmed');
  assert.equal(after[flags[1].id], 'dismissed');
  page.assertClean();
  await page.context().close();
});

test('the auditor raises a live safeguarding concern from the return', async () => {
  const page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'csc.1');
  await page.goto(`/#/reviews/${review.id}`);
  await e2e.screen(page, `Return ${review.id}`);
  await page.getByRole('link', {name: 'Raise a live safeguarding concern'}).click();
  await e2e.screen(page, 'Raise a live safeguarding concern');
  await page.getByText('does not replace that procedure').waitFor();
  await e2e.check(page, 'auditor-concern');
  await page.getByRole('button', {name: 'Raise the concern'}).click();
  await page.locator('.govuk-error-summary').filter({hasText: 'Enter a description of the concern'}).waitFor();
  await page.getByLabel('Describe the concern').fill('Synthetic example: a new disclosure in the latest record.');
  await page.getByRole('button', {name: 'Raise the concern'}).click();
  await e2e.success(page, /Concern \d+ raised. 1 QA lead was told/);
  await e2e.check(page, 'auditor-concern-raised');
  const concerns = partnership.json(['review', 'concerns', '--as', 'qa']);
  assert.equal(concerns.length, 1);
  assert.equal(String(concerns[0].review), String(review.id));
  assert.equal(concerns[0].description, 'Synthetic example: a new disclosure in the latest record.');
  page.assertClean();
  await page.context().close();
});

test('the QA lead returns it with a comment, the auditor sees it and resubmits, the QA lead accepts', async () => {
  const qa = await e2e.newPage(browser, server);
  await e2e.signIn(qa, 'qa');
  await qa.goto('/#/returns');
  await e2e.screen(qa, 'Returns');
  await qa.getByLabel('Status').selectOption('submitted');
  await qa.getByLabel('Audit').selectOption('1');
  await qa.getByRole('button', {name: 'Apply filters'}).click();
  await qa.waitForURL(/#\/returns\?state=submitted&audit=1$/);
  await qa.locator('main caption').filter({hasText: '1 return'}).waitFor();
  assert.equal(await qa.locator('main table tbody tr').count(), 1);
  assert.match(await qa.locator('main table tbody').innerText(), new RegExp(`Return ${review.id}`));
  assert.equal(await qa.locator('main table[data-module="moj-sortable-table"] th button').count() > 0, true,
               'the queue is an MoJ sortable table');
  await e2e.check(qa, 'qa-review-queue');

  await qa.getByRole('link', {name: `Return ${review.id}`, exact: true}).click();
  await e2e.screen(qa, `Return ${review.id}`);
  await qa.getByRole('button', {name: 'Return to auditor'}).click();
  await qa.locator('.govuk-error-summary').filter({hasText: 'Enter a comment on at least one question'}).waitFor();
  await qa.locator('#comment-concern_arises--grade').fill('Synthetic example: which records does the grade rest on?');
  await e2e.check(qa, 'qa-review-decide');
  await qa.getByRole('button', {name: 'Return to auditor'}).click();
  await e2e.success(qa, `Return ${review.id} returned to csc.1 with 1 comment`);
  let r = show(review.id, 'csc.1');
  assert.equal(r.state, 'returned');
  assert.equal(byQuestion(r)['concern_arises.grade'].comment,
               'Synthetic example: which records does the grade rest on?');

  const auditor = await e2e.newPage(browser, server);
  await e2e.signIn(auditor, 'csc.1');
  const form = (await e2e.pageApi(auditor, 'GET', `/reviews/${review.id}/form`)).body.questions;
  await auditor.getByRole('row').filter({hasText: `Return ${review.id}`}).filter({hasText: 'Returned'}).waitFor();
  await auditor.goto(`/#/reviews/${review.id}`);
  await e2e.screen(auditor, `Return ${review.id}`);
  await auditor.getByText('The QA lead returned this return with comments').waitFor();
  // The comment sits above its question.
  const comment = auditor.locator('.app-qa-comment').filter({hasText: 'which records does the grade rest on?'});
  await comment.waitFor();
  const next = await comment.evaluate((el) => el.nextElementSibling.querySelector('legend').textContent);
  assert.equal(next, form.find((q) => q.id === 'concern_arises.grade').text);
  await e2e.check(auditor, 'auditor-review-returned');
  await auditor.locator('#q-concern_arises--evidence').fill('Synthetic example: MASH contact record, 2024-03-04.');
  await auditor.getByRole('button', {name: 'Resubmit'}).click();
  await e2e.success(auditor, `Return ${review.id} resubmitted`);
  r = show(review.id, 'csc.1');
  assert.equal(r.state, 'resubmitted');
  assert.equal(byQuestion(r)['concern_arises.evidence'].value, 'Synthetic example: MASH contact record, 2024-03-04.');

  // Back to the queue: the resubmitted return waits there.
  await qa.getByRole('link', {name: 'Back to returns'}).click();
  await e2e.screen(qa, 'Returns');
  await qa.getByRole('row').filter({hasText: `Return ${review.id}`}).filter({hasText: 'Resubmitted'}).waitFor();
  await qa.getByRole('link', {name: `Return ${review.id}`, exact: true}).click();
  await e2e.screen(qa, `Return ${review.id}`);
  await qa.getByRole('button', {name: 'Accept', exact: true}).click();
  await e2e.success(qa, `Return ${review.id} accepted.`);
  await qa.locator('.govuk-summary-list').first().filter({hasText: 'Accepted'}).waitFor();
  assert.equal(show(review.id, 'qa').state, 'accepted');
  assert.equal(await qa.getByRole('button', {name: 'Accept', exact: true}).count(), 0);
  qa.assertClean();
  auditor.assertClean();
  await qa.context().close();
  await auditor.context().close();
});
