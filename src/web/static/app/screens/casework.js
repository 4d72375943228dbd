// The QA lead's casework: a case with its returns, its multi-agency discussion, moderation and
// lock; the collation dashboard of an audit (charts with their tables); the actions tracker; the
// live safeguarding concerns (docs/qa-lead-guide.md, "In the browser").
import {h, frag} from '../dom.js';
import * as c from '../components.js';
import * as api from '../api.js';
import {route as addRoute, refresh} from '../router.js';
import {stateTag} from './audits.js';

// Screens here return nested lists of nodes; the router appends one level, so flatten them here.
const route = (pattern, spec) =>
  addRoute(pattern, {...spec, render: async (...args) => frag(await spec.render(...args))});

const QA = ['qa_lead'];
const main = () => document.getElementById('main-content');

// The values of each grading scale (docs/templates.md, "Grading scales"), best first. The API
// names a stage's scale but does not list its values.
const scales = {
  ofsted: ['outstanding', 'good', 'requires_improvement', 'inadequate'],
  csa_centre: ['consistently_strong', 'some_good_practice', 'emerging'],
  rag: ['green', 'amber', 'red'],
};

function discussionForm(kase, stages, agencies) {
  const involved = [...new Set(kase.returns.map((r) => r.agency))];
  const held = c.dateInput({legend: 'Date of the discussion', name: 'held_on', value: kase.held_on || '',
                            hint: 'For example 20 11 2026'});
  const attendees = c.checkboxes({legend: 'Agencies that took part', name: 'attendees', small: true,
                                  values: kase.attendees.length ? kase.attendees : involved,
                                  items: agencies.map((a) => ({value: a.code,
                                                               text: `${a.name} (${a.code})`}))});
  const gradeFields = stages.map((s) => c.select({
    label: `${s.id} ${s.title}`, name: `grade-${s.id}`, value: kase.agreed_grades[s.id] || '',
    options: [{value: '', text: 'Not discussed'},
              ...(scales[s.scale] || []).map((g) => ({value: g, text: c.words(g)}))],
  }));
  const learning = c.textarea({label: 'Learning', name: 'learning', value: kase.learning || '', rows: 6,
                               hint: 'What the case teaches. Sealed at rest; seen by QA leads.'});
  const tags = c.input({label: 'Learning themes (optional)', name: 'learning_tags',
                        value: kase.learning_tags.join(', '),
                        hint: 'Comma-separated tags, for example information_sharing, strategy_discussion'});
  const boardSafe = c.radios({legend: 'May the learning go to the board word for word?',
                              name: 'learning_board_safe',
                              value: kase.learning_board_safe ? 'yes' : 'no',
                              hint: 'Only if no child or family can be recognised from it: nothing checks it.',
                              items: [{value: 'no', text: 'No, keep it for QA leads'},
                                      {value: 'yes', text: 'Yes, it is written so no one can be recognised'}]});
  const fields = {held_on: held, attendees, learning, learning_tags: tags, learning_board_safe: boardSafe};
  stages.forEach((s, i) => { fields[`grades['${s.id}']`] = gradeFields[i]; });
  return h('form', {novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const errors = [];
    for (const [field, ok, text] of [
      [held, held.value, held.value === null ? 'The date of the discussion must be a real date'
                                             : 'Enter the date of the discussion'],
      [attendees, attendees.values.length, 'Select at least one agency that took part'],
      [learning, learning.control.value.trim(), 'Enter the learning'],
    ]) {
      field.setError(ok ? null : text);
      if (!ok) errors.push({text, href: `#${field.id}`});
    }
    if (errors.length) return void c.errorSummary(main(), errors);
    const grades = {};
    stages.forEach((s, i) => {
      if (gradeFields[i].control.value) grades[s.id] = gradeFields[i].control.value;
    });
    try {
      const answer = await api.post(`/cases/${kase.case_id}/discussion`, {
        held_on: held.value, attendees: attendees.values, grades, learning: learning.control.value,
        learning_tags: tags.control.value.split(',').map((t) => t.trim()).filter(Boolean),
        learning_board_safe: boardSafe.value === 'yes'});
      c.flash(`Discussion recorded: case ${kase.case_id} is ${c.words(answer.state).toLowerCase()}`);
      refresh();
    } catch (err) {
      c.showProblem(main(), err, fields);
    }
  }}, held.el, attendees.el,
  h('fieldset', {class: 'govuk-fieldset'},
    h('legend', {class: 'govuk-fieldset__legend govuk-fieldset__legend--s',
                 text: 'Grades agreed for the partnership'}),
    h('div', {class: 'govuk-hint', text: 'Grade the stages discussed; leave the others as not discussed.'}),
    h('div', {class: 'app-grade-grid'}, gradeFields.map((f) => f.el))),
  learning.el, tags.el, boardSafe.el,
  c.button('Record the discussion', {type: 'submit'}));
}

// Moderation: grades to change, each with the return, question, grade and rationale, sent as one
// moderation file; every grade not listed stands as the auditor gave it. The list starts from the
// grades moderated last time, because moderating again starts from the auditors' grades.
function moderationForm(kase, stages, details) {
  const scaleOf = new Map(stages.map((st) => [st.id, scales[st.scale] || []]));
  const answersOf = new Map(details.map((d) => [String(d.id),
                                                d.answers.filter((a) => a.type === 'grade' && a.value)]));
  const changes = [];
  for (const d of details)
    for (const a of answersOf.get(String(d.id)))
      if (a.moderated_grade && a.moderated_grade !== a.value)
        changes.push({review: d.id, agency: d.agency, question: a.question, stage: a.stage, from: a.value,
                      grade: a.moderated_grade, rationale: a.moderation_rationale});
  const review = c.select({label: 'Return', name: 'review',
                           options: details.map((d) => ({value: String(d.id),
                                                         text: `Return ${d.id} (${d.agency})`}))});
  const question = c.select({label: 'Question', name: 'question', options: []});
  const grade = c.select({label: 'Moderated grade', name: 'grade', options: []});
  const rationale = c.textarea({label: 'Rationale', name: 'rationale', rows: 3,
                                hint: 'Required when the grade differs from the auditor\'s. Sealed at rest; ' +
                                      'the auditor does not see it.'});
  const current = () => (answersOf.get(review.control.value) || [])
    .find((a) => a.question === question.control.value);
  const fillGrades = () => {
    const a = current();
    grade.control.replaceChildren(...(a ? scaleOf.get(a.stage) || [] : []).map((g) =>
      h('option', {value: g, selected: a && g === a.value, text: c.words(g)})));
  };
  const fillQuestions = () => {
    question.control.replaceChildren(...(answersOf.get(review.control.value) || []).map((a) =>
      h('option', {value: a.question, text: `${a.stage}: ${a.question} (auditor: ${c.words(a.value)})`})));
    fillGrades();
  };
  review.control.addEventListener('change', fillQuestions);
  question.control.addEventListener('change', fillGrades);
  fillQuestions();
  const listed = h('div', {});
  const drawList = () => listed.replaceChildren(c.table({
    caption: 'Grades to change', empty: 'No grades to change: every grade stands as the auditor gave it.',
    cols: [{text: 'Return'}, {text: 'Question'}, {text: 'Auditor\'s grade'}, {text: 'Moderated grade'},
           {text: 'Rationale'}, {text: 'Remove'}],
    rows: changes.map((x, i) => [`Return ${x.review} (${x.agency})`, `${x.stage}: ${x.question}`,
                                 c.words(x.from),
                                 c.words(x.grade), x.rationale || '',
                                 c.button(`Remove change ${i + 1}`, {secondary: true, onclick: () => {
                                   changes.splice(i, 1);
                                   drawList();
                                 }})]),
  }));
  drawList();
  const add = c.button('Add this grade to the list', {secondary: true, onclick: () => {
    const a = current();
    rationale.setError(null);
    if (!a) return;
    if (grade.control.value !== a.value && !rationale.control.value.trim()) {
      const text = 'Enter a rationale: the moderated grade differs from the auditor\'s';
      rationale.setError(text);
      return void c.errorSummary(main(), [{text, href: `#${rationale.id}`}]);
    }
    const i = changes.findIndex((x) => String(x.review) === review.control.value && x.question === a.question);
    const d = details.find((x) => String(x.id) === review.control.value);
    const change = {review: d.id, agency: d.agency, question: a.question, stage: a.stage, from: a.value,
                    grade: grade.control.value, rationale: rationale.control.value.trim()};
    if (i >= 0) changes[i] = change;
    else changes.push(change);
    rationale.control.value = '';
    c.errorSummary(main(), []);
    drawList();
  }});
  return h('form', {novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const body = changes.length
      ? {grades: changes.map((x) => ({review: x.review, question: x.question, grade: x.grade,
                                      ...(x.rationale ? {rationale: x.rationale} : {})}))}
      : undefined;
    try {
      const answer = body ? await api.post(`/cases/${kase.case_id}/moderation`, body)
                          : await api.request('POST', `/cases/${kase.case_id}/moderation`);
      c.flash(`Case ${kase.case_id} moderated: ${answer.grades} grades, ${answer.changed} changed`);
      refresh();
    } catch (err) {
      c.showProblem(main(), err);
    }
  }}, h('fieldset', {class: 'govuk-fieldset'},
        h('legend', {class: 'govuk-fieldset__legend govuk-fieldset__legend--s',
                     text: 'Change a grade (optional)'}),
        review.el, question.el, grade.el, rationale.el, add),
  listed, c.button('Moderate the case', {type: 'submit'}));
}

async function act(path, done) {
  try {
    const answer = await api.request('POST', path);  // no body: Content-Length 0, as the API asks
    c.flash(done(answer));
    refresh();
  } catch (err) {
    c.showProblem(main(), err);
  }
}

route('/cases/:id', {
  title: (p) => `Case ${p.id}`,
  roles: QA,
  async render({id}) {
    const kase = await api.get(`/cases/${id}`);
    const [collation, agencies] = await Promise.all([api.get(`/audits/${kase.audit_id}/collation`),
                                                     api.all('/agencies')]);
    // The returns' grades, for moderation only (reading a return is recorded in the audit log).
    const details = kase.state === 'discussed' || kase.state === 'moderated'
      ? await Promise.all(kase.returns.filter((r) => r.slot === 1)
                                      .map((r) => api.get(`/reviews/${r.review_id}`)))
      : [];
    const waiting = kase.returns.filter((r) => r.state !== 'accepted' && r.state !== 'locked');
    const state = kase.state;
    const grades = Object.entries(kase.agreed_grades || {});
    return [
      c.takeFlash(),
      c.backLink(`#/audits/${kase.audit_id}`, `Back to audit ${kase.audit_id}`),
      c.heading(`Case ${kase.case_id}`, {caption: `Audit ${kase.audit_id}, child ${kase.child_key}`}),
      c.summaryList([
        ['State', stateTag(state)],
        ['QA lead', kase.owner || 'None'],
        ['Discussion held', kase.held_on || 'Not yet'],
        ['Agencies that took part', kase.attendees.join(', ') || 'None recorded'],
        ['Grades agreed', grades.length ? grades.map(([s, g]) => `${s}: ${c.words(g)}`).join('; ')
                                        : 'None recorded'],
        ['Learning', kase.learning || 'None recorded'],
        ['Learning themes', kase.learning_tags.join(', ') || 'None'],
        ['Learning for the board', kase.learning_board_safe ? 'Yes, word for word' : 'No'],
      ]),
      c.p(c.link('The case chronology across agencies', `#/cases/${id}/chronology`)),
      c.table({caption: 'Returns of each agency',
               cols: [{text: 'Return'}, {text: 'Agency'}, {text: 'Review'}, {text: 'State'}],
               rows: kase.returns.map((r) => [c.link(`Return ${r.review_id}`, `#/reviews/${r.review_id}`),
                                              r.agency,
                                              r.slot === 1 ? 'Primary' : 'Second review', stateTag(r.state)])}),

      c.h2('1. Multi-agency discussion'),
      c.p('Recorded once every return of the case is accepted. Recording it again before moderation ' +
          'replaces it.'),
      state === 'open' || state === 'discussed'
        ? [waiting.length
            ? c.warningText(`Not every return is accepted yet: ${waiting.map((r) =>
              `return ${r.review_id} (${r.agency}) is ${c.words(r.state).toLowerCase()}`).join('; ')}. ` +
              'The service will refuse the discussion until they are.')
            : null,
           discussionForm(kase, collation.stages, agencies)]
        : c.insetText('The discussion is recorded and the case is moderated, so it can no longer change.'),

      c.h2('2. Moderation'),
      c.p('Once the case is discussed, moderation settles the grades of each primary return. Grades not ' +
          'listed stand as the auditor gave them; a changed grade needs a rationale. Moderating again ' +
          'starts from the auditors\' grades, so the list keeps the changes made last time.'),
      state === 'discussed' || state === 'moderated'
        ? moderationForm(kase, collation.stages, details)
        : c.insetText(state === 'locked' ? 'The case is locked.' : 'Record the discussion first.'),

      c.h2('3. Lock'),
      c.p('Once the case is moderated, locking it fixes the case and every one of its returns: nothing ' +
          'about them changes afterwards.'),
      state === 'moderated'
        ? [c.warningText('Locking cannot be undone.'),
           c.button('Lock the case and its returns', {
             warning: true,
             onclick: () => act(`/cases/${id}/lock`, () => `Case ${id} locked with its returns`),
           })]
        : c.insetText(state === 'locked' ? 'The case is locked with its returns.' : 'Moderate the case first.'),
    ];
  },
});

// The table under a chart has the chart's heading already: a smaller caption.
function smallCaption(t) {
  const caption = t.querySelector('caption');
  if (caption) caption.className = 'govuk-table__caption govuk-table__caption--s';
  return t;
}

// A chart and its table: the same figures twice, the table being what assistive technology reads.
function figure(title, rows, {label = 'Category', value = 'Count'} = {}) {
  return [c.h2(title),
          rows.length ? c.barChart({title, bars: rows.map(([l, v]) => ({label: l, value: v}))}) : null,
          smallCaption(c.table({caption: `${title}: the figures`, empty: 'None yet.',
                                cols: [{text: label}, {text: value, numeric: true}],
                                rows: rows.map(([l, v]) => [l, String(v)])}))];
}

route('/audits/:id/collation', {
  title: (p) => `Collation of audit ${p.id}`,
  roles: QA,
  async render({id}) {
    const col = await api.get(`/audits/${id}/collation`);
    const agreement = col.overall_agreement;
    const byGrade = new Map();
    for (const g of col.grades) byGrade.set(g.grade, (byGrade.get(g.grade) || 0) + g.count);
    // Grades in scale order (best first), then not applicable, then any other code counted.
    const ordered = [...col.stages.flatMap((s) => scales[s.scale] || []), 'not_applicable', ...byGrade.keys()];
    const unique = [...new Set(ordered)].filter((g) => byGrade.has(g));
    const stageRows = col.stages.map((s) => [`${s.id} ${s.title}`, ...unique.map((g) => String(
      col.grades.filter((x) => x.stage === s.id && x.grade === g).reduce((n, x) => n + x.count, 0)))]);
    return [
      c.backLink(`#/audits/${id}`, `Back to audit ${id}`),
      c.heading('Collation dashboard', {caption: `Audit ${id}: ${col.title}`}),
      c.p(`${col.returns_counted} returns counted (accepted or locked primary returns); ` +
          `${col.grades_moderated} grades moderated, ${col.grades_changed_by_moderation} changed by ` +
          'moderation. Counts only: no case content.'),
      figure('Cases by state', Object.entries(col.cases_by_state).map(([k, v]) => [c.words(k), v]),
             {label: 'State', value: 'Cases'}),
      figure('Returns by state', Object.entries(col.returns_by_state).map(([k, v]) => [c.words(k), v]),
             {label: 'State', value: 'Returns'}),
      figure('Final grades, every stage and agency', unique.map((g) => [c.words(g), byGrade.get(g)]),
             {label: 'Grade', value: 'Grades'}),
      c.table({caption: 'Final grades by stage', empty: 'No returns counted yet.',
               cols: [{text: 'Stage'}, ...unique.map((g) => ({text: c.words(g), numeric: true}))],
               rows: unique.length ? stageRows : []}),
      figure('Flags of the sampled children by rule',
             col.flags.map((f) => [f.rule, f.open + f.confirmed + f.dismissed]),
             {label: 'Rule', value: 'Flags'}),
      c.table({caption: 'Flags by rule and status', empty: 'No flags.',
               cols: [{text: 'Rule'}, {text: 'Open', numeric: true}, {text: 'Confirmed', numeric: true},
                      {text: 'Dismissed', numeric: true}],
               rows: col.flags.map((f) => [f.rule, String(f.open), String(f.confirmed), String(f.dismissed)])}),
      figure('Themes', Object.entries(col.themes), {label: 'Theme', value: 'Answers and discussions'}),
      c.h2('Actions'),
      c.table({caption: 'Actions by owner', empty: 'No actions.',
               cols: [{text: 'Owner'}, {text: 'By status'}, {text: 'Overdue', numeric: true}],
               rows: col.actions.map((a) => [a.owner,
                                             Object.entries(a.by_status || {})
                                               .map(([k, v]) => `${c.words(k)} ${v}`).join(', '),
                                             String(a.overdue)])}),
      agreement && col.dual_review ? [c.h2('Agreement between reviewers'),
                         c.summaryList([['Pairs', String(col.overall_agreement.pairs)],
                                        ['Agreement', agreement.percent === null ? 'Undefined'
                                                                                 : `${agreement.percent}%`],
                                        ['Cohen\'s kappa', agreement.kappa === null ? 'Undefined'
                                                                                   : String(agreement.kappa)]])]
        : null,
    ];
  },
});

const actionStatuses = ['open', 'in_progress', 'done', 'cancelled'];
const actionColour = {open: 'blue', in_progress: 'yellow', done: 'green', cancelled: 'grey'};

function addActionForm(audits, agencies, auditId) {
  const audit = c.select({label: 'Audit', name: 'audit', value: auditId,
                          options: audits.map((a) => ({value: String(a.id), text: `${a.id}: ${a.title}`}))});
  const owner = c.select({label: 'Owner agency', name: 'owner',
                          options: [{value: '', text: 'Choose an agency'},
                                    ...agencies.map((a) => ({value: a.code, text: `${a.name} (${a.code})`}))]});
  const kase = c.input({label: 'Case number (optional)', name: 'case', width: 4,
                        hint: 'Leave empty for an action for the whole audit'});
  const due = c.dateInput({legend: 'Due date (optional)', name: 'due', hint: 'For example 31 3 2027'});
  const description = c.textarea({label: 'What is to be done', name: 'description', rows: 3,
                                  hint: 'Sealed at rest. Auditors of the owner agency see it.'});
  const fields = {owner, case: kase, due, description};
  return h('form', {novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const errors = [];
    for (const [field, ok, text] of [
      [owner, owner.control.value, 'Choose the owner agency'],
      [kase, !kase.control.value.trim() || /^\d+$/.test(kase.control.value.trim()),
       'Enter the case number as a whole number'],
      [due, due.value !== null, 'The due date must be a real date'],
      [description, description.control.value.trim(), 'Enter what is to be done'],
    ]) {
      field.setError(ok ? null : text);
      if (!ok) errors.push({text, href: `#${field.id}`});
    }
    if (errors.length) return void c.errorSummary(main(), errors);
    const body = {description: description.control.value, owner: owner.control.value};
    if (due.value) body.due = due.value;
    if (kase.control.value.trim()) body.case = Number(kase.control.value.trim());
    try {
      const answer = await api.post(`/audits/${audit.control.value}/actions`, body);
      c.flash(`Action ${answer.id} added for ${body.owner}`);
      refresh();
    } catch (err) {
      c.showProblem(main(), err, fields);
    }
  }}, audit.el, owner.el, kase.el, due.el, description.el, c.button('Add the action', {type: 'submit'}));
}

function statusForm(action) {
  const status = c.select({label: `New status of action ${action.id}`, name: 'status', value: action.status,
                           options: actionStatuses.map((s) => ({value: s, text: c.words(s)}))});
  // The column's heading says what the control is; the label stays for assistive technology.
  status.el.querySelector('label').classList.add('govuk-visually-hidden');
  return h('form', {novalidate: true, class: 'app-inline-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const answer = await api.patch(`/actions/${action.id}`, {status: status.control.value});
      c.flash(`Action ${answer.id} is now ${c.words(answer.status).toLowerCase()}`);
      refresh();
    } catch (err) {
      c.showProblem(main(), err);
    }
  }}, status.el, c.button('Update', {type: 'submit', secondary: true}));
}

route('/actions', {
  title: 'Actions',
  roles: QA,
  async render(params, query) {
    const audit = query.get('audit') || '';
    const [actions, audits, agencies] = await Promise.all([api.all('/actions', {audit}), api.all('/audits'),
                                                           api.all('/agencies')]);
    return [
      c.takeFlash(),
      c.heading('Actions', {caption: audit ? `Audit ${audit}` : 'Every audit'}),
      audit ? c.p(c.link('Show the actions of every audit', '#/actions')) : null,
      c.p('What the audits\' findings ask agencies to do. An action is overdue when its due date has passed ' +
          'and it is open or in progress.'),
      c.table({caption: audit ? `Actions of audit ${audit}` : 'Actions of every audit', empty: 'No actions yet.',
               cols: [{text: 'Action'}, {text: 'Audit'}, {text: 'Case'}, {text: 'Owner'}, {text: 'Due'},
                      {text: 'Status'}, {text: 'What is to be done'}, {text: 'Change status'}],
               rows: actions.map((a) => [String(a.id), String(a.audit),
                                         a.case ? c.link(`Case ${a.case}`, `#/cases/${a.case}`) : 'Whole audit',
                                         a.owner, a.due || 'None',
                                         [c.tag(c.words(a.status), actionColour[a.status]),
                                          a.overdue ? [' ', c.tag('Overdue', 'red')] : null],
                                         a.description, statusForm(a)])}),
      audits.length ? [c.h2('Add an action'), addActionForm(audits, agencies, audit)] : null,
    ];
  },
});

route('/concerns', {
  title: 'Live safeguarding concerns',
  roles: QA,
  async render(params, query) {
    const everything = query.get('all') === 'true';
    const concerns = await api.all('/concerns', {all: everything ? 'true' : ''});
    return [
      c.takeFlash(),
      c.heading('Live safeguarding concerns'),
      c.warningText('pathaudit records and escalates; it does not act. Make sure each concern has been ' +
                    'referred under the agency\'s safeguarding procedure today.'),
      c.p(everything ? c.link('Show open concerns only', '#/concerns')
                     : c.link('Show acknowledged concerns too', '#/concerns?all=true')),
      c.table({caption: everything ? 'Every concern' : 'Open concerns', empty: 'No open concerns.',
               cols: [{text: 'Concern'}, {text: 'Raised'}, {text: 'Case'}, {text: 'Agency'},
                      {text: 'Description'}, {text: 'Status'}, {text: 'Action'}],
               rows: concerns.map((k) => [
                 String(k.id), `${k.raised_at} by ${k.raised_by}`,
                 c.link(`Case ${k.case}`, `#/cases/${k.case}`),
                 k.agency, k.description,
                 k.status === 'open'
                   ? c.tag('Open', 'red')
                   : [c.tag('Acknowledged', 'green'), ` by ${k.acknowledged_by} at ${k.acknowledged_at}`],
                 k.status === 'open'
                   ? c.button(`Acknowledge concern ${k.id}`, {
                     secondary: true,
                     onclick: () => act(`/concerns/${k.id}/acknowledge`, () => `Concern ${k.id} acknowledged`),
                   })
                   : '',
               ])}),
    ];
  },
});

