// The QA lead's casework in Chromium, on returns completed through the CLI: a case's discussion,
// moderation and lock (with the service's conflict shown for a case not ready), the collation
// dashboard's charts and tables, an action added and updated, a live concern acknowledged; each
// read back through the CLI.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from './support.mjs';

let partnership, server, browser, page, returns;

before(async () => {
  partnership = new e2e.Partnership();
  e2e.reviewAudit(partnership);
  returns = e2e.acceptCase(partnership, 1);
  server = await e2e.startServer(partnership);
  browser = await e2e.launchBrowser(partnership);
  page = await e2e.newPage(browser, server);
  await e2e.signIn(page, 'qa');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  partnership?.remove();
});

const caseShow = (id) => partnership.json(['review', 'case', String(id), '--as', 'qa']);

test('a case whose returns are not all accepted: the service\'s conflict is shown', async () => {
  await page.goto('/#/cases/2');
  await e2e.screen(page, 'Case 2');
  await page.getByText('Not every return is accepted yet').waitFor();
  const held = page.getByRole('group', {name: 'Date of the discussion'});
  await held.getByLabel('Day').fill('20');
  await held.getByLabel('Month').fill('11');
  await held.getByLabel('Year').fill('2026');
  await page.getByLabel('Learning', {exact: true}).fill('Synthetic learning for a case not ready.');
  await page.getByRole('button', {name: 'Record the discussion'}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /cannot be discussed until every return is accepted/);
  assert.equal(e2e.field(caseShow(2), 'state'), 'open', 'nothing was recorded');
  page.assertClean();
});

test('discussion, moderation and lock of a case through the UI, read back', async () => {
  await page.goto('/#/cases/1');
  await e2e.screen(page, 'Case 1');
  const table = page.locator('table').filter({hasText: 'Returns of each agency'});
  assert.equal(await table.locator('tbody tr').count(), returns.length);
  assert.equal(await table.getByText('Accepted').count(), returns.length);
  // Moderation and lock say what they need first.
  await page.getByText('Record the discussion first.').waitFor();
  await page.getByText('Moderate the case first.').waitFor();

  await page.getByRole('button', {name: 'Record the discussion'}).click();
  await page.locator('.govuk-error-summary').filter({hasText: 'Enter the date of the discussion'}).waitFor();
  await e2e.check(page, 'casework-case');

  const held = page.getByRole('group', {name: 'Date of the discussion'});
  await held.getByLabel('Day').fill('20');
  await held.getByLabel('Month').fill('11');
  await held.getByLabel('Year').fill('2026');
  await page.getByLabel('2.2 Strategy discussion').selectOption('requires_improvement');
  const learning = 'Synthetic learning: health was not at the strategy discussion.';
  await page.getByLabel('Learning', {exact: true}).fill(learning);
  await page.getByLabel('Learning themes (optional)').fill('information_sharing, strategy_discussion');
  await page.getByRole('button', {name: 'Record the discussion'}).click();
  await page.getByText('Discussion recorded: case 1 is discussed').waitFor();
  let show = caseShow(1);
  assert.equal(e2e.field(show, 'state'), 'discussed');
  assert.equal(e2e.field(show, 'held_on'), '2026-11-20');
  assert.match(e2e.field(show, 'agreed_grades'), /2\.2=requires_improvement/);
  assert.equal(e2e.field(show, 'learning'), learning);
  const involved = [...new Set(returns.map((r) => r.agency))].sort();
  assert.deepEqual(e2e.field(show, 'attendees').split(/[;, ]+/).filter(Boolean).sort(), involved,
                   'the involved agencies are taken as attendees by default');
  // The screen shows the state as the service now has it.
  await page.locator('.govuk-summary-list').getByText('Discussed').waitFor();
  await page.locator('.govuk-summary-list').getByText('2.2: Requires improvement').waitFor();

  // Moderation: one grade changed, which needs a rationale.
  const review = await page.getByLabel('Return', {exact: true}).inputValue();
  const question = await page.getByLabel('Question', {exact: true}).inputValue();
  const given = await page.getByLabel('Moderated grade').inputValue();
  const options = await page.getByLabel('Moderated grade').locator('option')
    .evaluateAll((o) => o.map((x) => x.value));
  const moderated = options.find((g) => g !== given);
  await page.getByLabel('Moderated grade').selectOption(moderated);
  await page.getByRole('button', {name: 'Add this grade to the list'}).click();
  await page.locator('.govuk-error-summary').filter({hasText: 'Enter a rationale'}).waitFor();
  await page.getByLabel('Rationale').fill('Synthetic rationale: the minutes show health was not invited.');
  await page.getByRole('button', {name: 'Add this grade to the list'}).click();
  const changes = page.locator('table').filter({hasText: 'Grades to change'});
  assert.equal(await changes.locator('tbody tr').count(), 1);
  await e2e.check(page, 'casework-case-moderation');
  await page.getByRole('button', {name: 'Moderate the case'}).click();
  await page.getByText(/Case 1 moderated: \d+ grades, 1 changed/).waitFor();
  assert.equal(e2e.field(caseShow(1), 'state'), 'moderated');
  const shown = partnership.json(['review', 'show', review, '--as', 'qa']);
  const answer = shown.answers.find((a) => a.question === question);
  assert.equal(answer.value, given, 'the auditor\'s grade is kept');
  assert.equal(answer.moderated_grade, moderated);
  assert.equal(answer.moderation_rationale, 'Synthetic rationale: the minutes show health was not invited.');
  // Moderating again starts from the auditors' grades: the list keeps last time's change.
  assert.equal(await changes.locator('tbody tr').count(), 1);
  await page.getByText('The discussion is recorded and the case is moderated').waitFor();
  await e2e.check(page, 'casework-case-moderated');

  await page.getByRole('button', {name: 'Lock the case and its returns'}).click();
  await page.getByText('Case 1 locked with its returns').waitFor();
  show = caseShow(1);
  assert.equal(e2e.field(show, 'state'), 'locked');
  const states = partnership.json(['review', 'list', '--case', '1']).map((r) => r.state);
  assert.ok(states.every((s) => s === 'locked'), 'every return is locked');
  const locked = page.locator('table').filter({hasText: 'Returns of each agency'}).getByText('Locked');
  assert.equal(await locked.count(), returns.length);
  assert.equal(await page.getByRole('button', {name: /Moderate|Lock|Record/}).count(), 0);
  await e2e.check(page, 'casework-case-locked');
  page.assertClean();
});

test('the collation dashboard draws each chart with its table', async () => {
  await page.goto('/#/audits/1/collation');
  await e2e.screen(page, 'Collation dashboard');
  const cli = partnership.json(['audit', 'collate', '1', '--as', 'qa']);
  const value = (measure, category) =>
    (cli.find((r) => r.measure === measure && r.category === category) || {}).value;
  const charts = page.locator('svg[role="img"]');
  assert.ok(await charts.count() >= 3);
  const label = await charts.nth(1).getAttribute('aria-label');
  assert.match(label, new RegExp(`^Returns by state: .*Locked ${value('returns', 'locked')}`));
  const returnsTable = page.locator('table').filter({hasText: 'Returns by state'});
  const row = returnsTable.locator('tbody tr').filter({hasText: 'Locked'});
  assert.equal(await row.locator('td').nth(1).innerText(), value('returns', 'locked'));
  // The grades chart's total is every counted grade.
  const graded = cli.filter((r) => r.measure === 'grade').reduce((n, r) => n + Number(r.value), 0);
  const gradeCells = await page.locator('table').filter({hasText: 'Final grades, every stage and agency'})
    .locator('tbody tr td:nth-child(2)').allInnerTexts();
  assert.equal(gradeCells.reduce((n, t) => n + Number(t), 0), graded);
  // Every bar has its figure in a table: the number of bars equals the rows of the tables after them.
  assert.equal(await page.locator('svg[role="img"] rect').count(),
               await page.locator('figure + table tbody tr').count());
  await e2e.check(page, 'casework-collation');
  page.assertClean();
});

test('an action is added and its status updated', async () => {
  await page.goto('/#/actions?audit=1');
  await e2e.screen(page, 'Actions');
  await page.getByLabel('Owner agency').selectOption('POLICE');
  await page.getByLabel('Case number (optional)').fill('1');
  const due = page.getByRole('group', {name: 'Due date (optional)'});
  await due.getByLabel('Day').fill('31');
  await due.getByLabel('Month').fill('1');
  await due.getByLabel('Year').fill('2027');
  await page.getByLabel('What is to be done').fill('Synthetic action: share ABE summaries the same day.');
  await page.getByRole('button', {name: 'Add the action'}).click();
  await page.getByText(/Action \d+ added for POLICE/).waitFor();
  let actions = partnership.json(['actions', 'list', '--audit', '1', '--as', 'qa']);
  assert.equal(actions.length, 1);
  assert.equal(actions[0].owner, 'POLICE');
  assert.equal(actions[0].due, '2027-01-31');
  assert.equal(actions[0].status, 'open');
  const id = actions[0].id;
  const row = page.locator('table').filter({hasText: 'What is to be done'}).locator('tbody tr').first();
  assert.match(await row.innerText(), /Synthetic action: share ABE summaries the same day\./);
  await e2e.check(page, 'casework-actions');

  await page.getByLabel(`New status of action ${id}`).selectOption('in_progress');
  await row.getByRole('button', {name: 'Update'}).click();
  await page.getByText(`Action ${id} is now in progress`).waitFor();
  actions = partnership.json(['actions', 'list', '--audit', '1', '--as', 'qa']);
  assert.equal(actions[0].status, 'in_progress');
  await page.locator('table').getByText('In progress', {exact: true}).first().waitFor();
  page.assertClean();
});

test('a live concern raised by an auditor is acknowledged', async () => {
  const r = partnership.json(['review', 'list', '--case', '2']).find((x) => x.auditor);
  partnership.run(['review', 'concern', r.id, '--file', '-', '--as', r.auditor],
                  {input: 'Synthetic concern: the child may still be at risk.\n'});
  await page.getByRole('link', {name: 'Concerns'}).click();
  await e2e.screen(page, 'Live safeguarding concerns');
  await page.getByText('Synthetic concern: the child may still be at risk.').waitFor();
  const [concern] = partnership.json(['review', 'concerns', '--as', 'qa']);
  await e2e.check(page, 'casework-concerns');
  await page.getByRole('button', {name: `Acknowledge concern ${concern.id}`}).click();
  await page.getByText(`Concern ${concern.id} acknowledged`).waitFor();
  await page.getByText('No open concerns.').waitFor();
  const all = partnership.json(['review', 'concerns', '--all', '--as', 'qa']);
  assert.equal(all.find((k) => k.id === concern.id).status, 'acknowledged');
  assert.equal(all.find((k) => k.id === concern.id).acknowledged_by, 'user:qa');
  page.assertClean();
});
