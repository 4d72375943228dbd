// Returns: an auditor's "My returns" and a QA lead's review queue (#/returns), one return's form
// generated from its template (#/reviews/:id: save draft, submit; for a QA lead on a submitted
// return: return with comments, accept), and raising a live safeguarding concern from a return
// (#/reviews/:id/concern). Everything shown is read from the API; only ids and codes go in the
// fragment.
import {h} from '../dom.js';
import * as c from '../components.js';
import * as api from '../api.js';
import {route, navigate, refresh} from '../router.js';

const states = ['assigned', 'in_progress', 'submitted', 'returned', 'resubmitted', 'accepted',
                'locked'];

// ---- the list

route('/returns', {
  title: 'Returns',
  roles: ['auditor', 'qa_lead'],
  async render(params, query, ctx) {
    const qa = ctx.user.role === 'qa_lead';
    // Filters come from the fragment, so only codes we know are passed on to the API.
    const state = states.includes(query.get('state')) ? query.get('state') : '';
    const audit = /^[0-9]+$/.test(query.get('audit') || '') ? query.get('audit') : '';
    const [reviews, audits] = await Promise.all([
      api.all('/reviews', qa ? {state, audit} : {}),
      qa ? api.all('/audits') : Promise.resolve([]),
    ]);
    const rows = reviews.map((r) => [
      c.link(`Return ${r.id}`, `#/reviews/${r.id}`),
      r.child_key, String(r.audit), r.agency, qa ? r.auditor || 'Not assigned' : null,
      c.reviewStateTag(r.state), String(r.times_returned),
    ].filter((x) => x !== null));
    const cols = [{text: 'Return'}, {text: 'Case'}, {text: 'Audit', numeric: true}, {text: 'Agency'},
                  qa ? {text: 'Auditor'} : null, {text: 'Status'},
                  {text: 'Times returned', numeric: true}].filter(Boolean);
    if (!qa) {
      return [
        c.takeFlash(),
        c.heading('My returns'),
        c.p('The returns assigned to you. Open one to fill it in, read the QA lead\'s comments or ' +
            'see the case chronology.'),
        c.table({caption: 'Your returns', cols, rows, empty: 'You have no returns assigned to you.'}),
      ];
    }
    const stateSelect = c.select({
      label: 'Status', name: 'state', value: state,
      options: [{value: '', text: 'Any status'}, ...states.map((s) => ({value: s, text: c.humanise(s)}))],
    });
    const auditSelect = c.select({
      label: 'Audit', name: 'audit', value: audit,
      options: [{value: '', text: 'Any audit'},
                ...audits.map((a) => ({value: String(a.id), text: `${a.id}: ${a.title}`}))],
    });
    const form = h('form', {class: 'app-filters', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      if (stateSelect.control.value) q.set('state', stateSelect.control.value);
      if (auditSelect.control.value) q.set('audit', auditSelect.control.value);
      const s = q.toString();
      navigate(`/returns${s ? `?${s}` : ''}`);
    }}, h('div', {class: 'app-filters__fields'}, stateSelect.el, auditSelect.el),
    c.button('Apply filters', {type: 'submit', secondary: true}));
    return [
      c.takeFlash(),
      c.heading('Returns', {caption: 'Review queue'}),
      c.p('Every return of every audit. Submitted and resubmitted returns wait for you to return ' +
          'them with comments or accept them.'),
      form,
      c.table({caption: `${reviews.length} ${reviews.length === 1 ? 'return' : 'returns'}`, cols, rows,
               sortable: true, empty: 'No returns match these filters.'}),
    ];
  },
});

// ---- one return

const fieldId = (question) => `q-${question.replace(/\./g, '--')}`;
const commentId = (question) => `comment-${question.replace(/\./g, '--')}`;
const naId = (section) => `na-${section}`;

// The template's title of the section; from its id for a service that gives none.
function sectionTitle(s) {
  if (s.title) return s.title;
  return /^[0-9]/.test(s.stage) ? `Stage ${s.stage}: ${c.humanise(s.section)}` : c.humanise(s.section);
}

// A choice as the template words it (`choice_labels`, in the order of `choices`); a code the
// labels do not cover reads as words, acronyms in capitals.
const acronyms = new Set(['gp', 'ed', 'sarc', 'camhs', 'vcs', 'csc', 'abe', 'isva', 'cp', 'cin', 'icpc']);
function choiceText(q, code) {
  const i = q.choices.indexOf(code);
  if (q.choice_labels && i >= 0 && q.choice_labels[i]) return q.choice_labels[i];
  if (code === 'na') return 'Not applicable';
  return String(code).split('_').map((w, j) => (acronyms.has(w) ? w.toUpperCase()
    : j === 0 ? c.humanise(w) : w)).join(' ');
}

function valueText(q, value) {
  if (value === null || value === undefined || value === '') return 'Not answered';
  if (Array.isArray(value)) return value.map((v) => choiceText(q, v)).join(', ');
  return ['grade', 'yes_no_na', 'choice'].includes(q.type) ? choiceText(q, value) : value;
}

// The questions grouped by section, in template order.
function sections(questions) {
  const out = [];
  for (const q of questions) {
    let s = out[out.length - 1];
    if (!s || s.section !== q.section) {
      out.push(s = {section: q.section, stage: q.stage, title: q.section_title,
                    description: q.section_description, questions: []});
    }
    s.questions.push(q);
  }
  return out;
}

// A control for one question, by its type: {el, id, setError, read() -> value or null}.
function questionField(q, saved) {
  const id = fieldId(q.id);
  const label = q.required ? q.text : `${q.text} (optional)`;
  const hint = q.help || undefined;
  if (['grade', 'yes_no_na', 'choice'].includes(q.type)) {
    const f = c.radios({legend: label, name: q.id, id, hint, value: saved ?? undefined,
                        inline: q.type === 'yes_no_na',
                        items: q.choices.map((v) => ({value: v, text: choiceText(q, v)}))});
    return {el: f.el, id, setError: f.setError, read: () => f.value};
  }
  if (q.type === 'multi_choice') {
    const f = c.checkboxes({legend: label, name: q.id, id, hint, values: saved || [],
                            items: q.choices.map((v) => ({value: v, text: choiceText(q, v)}))});
    return {el: f.el, id, setError: f.setError, read: () => (f.values.length ? f.values : null)};
  }
  if (q.type === 'date') {
    const f = c.input({label, name: q.id, id, width: 10, value: saved || '',
                       hint: `${hint ? `${hint} ` : ''}For example, 2024-03-04.`});
    return {el: f.el, id, setError: f.setError, read: () => f.control.value.trim() || null};
  }
  const f = c.textarea({label, name: q.id, id, hint, value: saved || '', rows: 4});
  return {el: f.el, id, setError: f.setError, read: () => (f.control.value.trim() ? f.control.value : null)};
}

// Which field an error line of the service is about: answers (`$.answers['id']`), a required
// question not answered (`review 7: id: required, ...`), a not-applicable entry
// (`$.not_applicable[2]`), or a QA lead's comment (`$.comments['id']`, `comments: id: ...`).
function errorTarget(message) {
  let m = /\$\.answers\['([^']+)'\]:?\s*(.*)$/.exec(message);
  if (m) return {kind: 'answer', key: m[1], reason: m[2]};
  m = /^review \d+: ([A-Za-z0-9_.-]+): (.*)$/.exec(message);
  if (m) return {kind: 'answer', key: m[1], reason: m[2]};
  m = /\$\.not_applicable\[(\d+)\]:?\s*(.*)$/.exec(message);
  if (m) return {kind: 'na', index: Number(m[1]), reason: m[2]};
  m = /\$\.comments\['([^']+)'\]:?\s*(.*)$/.exec(message) || /^comments: ([A-Za-z0-9_.-]+): (.*)$/.exec(message);
  if (m) return {kind: 'comment', key: m[1], reason: m[2]};
  return null;
}

const capital = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

// Shows the service's error lines in the error summary, each linked to its field.
function showErrors(main, err, {fields, naFields, comments, naList, byId}) {
  for (const f of [...Object.values(fields), ...Object.values(naFields), ...Object.values(comments)])
    f.setError(null);
  const lines = err.errors && err.errors.length ? err.errors : [err.detail || err.message];
  const list = lines.map((line) => {
    const t = errorTarget(line);
    let field = null;
    let subject = '';
    if (t && t.kind === 'answer' && fields[t.key]) {
      field = fields[t.key];
      subject = byId[t.key].text;
    } else if (t && t.kind === 'comment' && comments[t.key]) {
      field = comments[t.key];
      subject = `Comment on "${byId[t.key].text}"`;
    } else if (t && t.kind === 'na' && naList[t.index] && naFields[naList[t.index]]) {
      field = naFields[naList[t.index]];
      subject = 'Not applicable';
    }
    if (!field) return {text: line, href: null};
    if (t.kind === 'answer' && /^required, not answered/.test(t.reason)) {
      field.setError('Answer this question, or mark its section not applicable');
      return {text: `Answer "${subject}", or mark its section not applicable`, href: `#${field.id}`};
    }
    const reason = capital(t.reason || line);
    field.setError(reason);
    return {text: `${subject}: ${reason}`, href: `#${field.id}`};
  });
  // A success banner from an earlier save would contradict the summary: it goes.
  main.querySelectorAll('.govuk-notification-banner--success').forEach((b) => b.remove());
  c.errorSummary(main, list, 'There is a problem');
}

// A refusal to show once the screen has been drawn again from the API (submit after a save).
let pendingProblem = null;

// After a change: the screen is read again from the API, with the message above it (takeFlash's
// banner takes focus once drawn).
async function afterChange(message) {
  c.flash(message);
  await refresh();
}

function reviewSummary(review) {
  return c.summaryList([
    ['Case', review.child_key],
    ['Audit', String(review.audit)],
    ['Agency', review.agency],
    ['Auditor', review.auditor || 'Not assigned'],
    ['Status', c.reviewStateTag(review.state)],
    ['Times returned', String(review.times_returned)],
    ['Required questions not answered', String((review.missing_required || []).length)],
  ]);
}

route('/reviews/:id', {
  title: (params) => `Return ${params.id}`,
  roles: ['auditor', 'qa_lead'],
  async render(params, query, ctx) {
    const id = params.id;
    const [review, form] = await Promise.all([api.get(`/reviews/${id}`), api.get(`/reviews/${id}/form`)]);
    const main = document.getElementById('main-content');
    const saved = new Map(review.answers.map((a) => [a.question, a]));
    const byId = Object.fromEntries(form.questions.map((q) => [q.id, q]));
    const na = new Set(review.not_applicable || []);
    const actions = review.allowed_actions || [];
    const auditorEditing = ctx.user.role === 'auditor' && actions.includes('save');
    const qaDeciding = ctx.user.role === 'qa_lead' && actions.includes('accept');
    const fields = {};
    const naFields = {};
    const comments = {};
    const refs = {fields, naFields, comments, naList: [], byId};

    const top = [
      c.takeFlash(),
      c.backLink('#/returns', ctx.user.role === 'qa_lead' ? 'Back to returns' : 'Back to my returns'),
      c.heading(`Return ${review.id}`, {caption: `${review.agency} return for case ${review.child_key}`}),
      reviewSummary(review),
      h('ul', {class: 'govuk-list'},
        h('li', {}, c.link('Read the case chronology and its flags',
                                `#/cases/${review.case}/chronology?review=${review.id}`)),
        h('li', {}, c.link('Raise a live safeguarding concern', `#/reviews/${review.id}/concern`))),
    ];
    if (review.state === 'returned' && ctx.user.role === 'auditor')
      top.splice(1, 0, c.notification('The QA lead returned this return with comments. Each comment is ' +
                              'shown above its question. Revise your answers, then submit again.',
                              {title: 'Returned with comments'}));
    if (!auditorEditing && !qaDeciding)
      top.push(c.insetText(ctx.user.role === 'auditor'
        ? `This return is ${c.humanise(review.state).toLowerCase()}: you cannot change it now.`
        : `This return is ${c.humanise(review.state).toLowerCase()}: there is nothing for you to decide ` +
          'on it now.'));

    const body = [];
    for (const s of sections(form.questions)) {
      const title = sectionTitle(s);
      const part = [c.h2(title), s.description ? c.p(s.description) : null];
      if (auditorEditing) {
        const naField = c.checkboxes({
          legend: `Does ${title} apply to your agency?`, name: `na-${s.section}`, id: naId(s.section),
          small: true, values: na.has(s.section) ? ['na'] : [],
          hint: 'Marking it not applicable clears any answers saved in it.',
          items: [{value: 'na', text: 'Not applicable: my agency had no part in this section'}],
        });
        naFields[s.section] = {...naField, section: s.section};
        const questions = h('div', {class: 'app-questions', hidden: na.has(s.section)});
        naField.inputs[0].addEventListener('change', () => {
          questions.hidden = naField.inputs[0].checked;
        });
        for (const q of s.questions) {
          const a = saved.get(q.id);
          if (a && a.comment) questions.append(qaComment(a.comment));
          const f = questionField(q, q.value);
          fields[q.id] = {...f, question: q, saved: q.value, tags: a ? a.tags : []};
          questions.append(f.el);
        }
        part.push(naField.el, questions);
      } else if (na.has(s.section)) {
        part.push(c.p('Not applicable: the agency had no part in this section.'));
      } else {
        for (const q of s.questions) {
          const a = saved.get(q.id);
          const rows = [['Answer', valueText(q, q.value)]];
          if (a && a.tags && a.tags.length) rows.push(['Tags', a.tags.join(', ')]);
          if (a && a.comment) rows.push(['QA lead\'s comment', a.comment]);
          if (ctx.user.role === 'qa_lead' && a && a.moderated_grade)
            rows.push(['Moderated grade', `${choiceText(q, a.moderated_grade)}: ${a.moderation_rationale}`]);
          const block = [h('h3', {class: 'govuk-heading-s', text: q.text}), c.summaryList(rows)];
          if (qaDeciding) {
            const t = c.textarea({label: `Comment for the auditor on this question (optional)`,
                                  name: `comment-${q.id}`, id: commentId(q.id), rows: 2, labelSize: 's'});
            // Every comment box has the same visible label under its question; the hidden part
            // names the question for those who reach the box by its label alone.
            t.el.querySelector('label').append(h('span', {class: 'govuk-visually-hidden', text: `: ${q.text}`}));
            comments[q.id] = t;
            block.push(t.el);
          }
          part.push(h('div', {class: 'app-answer'}, block));
        }
      }
      body.push(h('section', {class: 'app-review-section', 'aria-label': title}, part));
    }

    if (auditorEditing) {
      // Only what changed is sent, so answers not touched keep their tags; the not-applicable
      // list is always sent whole (it replaces the saved one), which also keeps the body non-empty.
      const answersBody = () => {
        const naList = Object.values(naFields).filter((f) => f.inputs[0].checked).map((f) => f.section);
        refs.naList = naList;
        const answers = {};
        for (const [qid, f] of Object.entries(fields)) {
          if (naList.includes(f.question.section)) continue;
          const v = f.read();
          if (JSON.stringify(v) === JSON.stringify(f.saved ?? null)) continue;
          answers[qid] = f.tags && f.tags.length ? {value: v, tags: f.tags} : v;
        }
        return {answers, not_applicable: naList};
      };
      const save = async () => api.put(`/reviews/${id}/answers`, answersBody());
      const saveButton = c.button('Save draft', {secondary: true, onclick: async () => {
        try {
          const r = await save();
          await afterChange(`Draft saved: ${r.saved} ${r.saved === 1 ? 'answer' : 'answers'} saved, ` +
                            `${r.cleared} cleared. ${r.missing_required.length} required ` +
                            `${r.missing_required.length === 1 ? 'question' : 'questions'} not answered yet.`);
        } catch (err) {
          if (!(err instanceof api.ApiError) || err.status === 401) throw err;
          showErrors(main, err, refs);
        }
      }});
      const submitButton = c.button(review.state === 'returned' ? 'Resubmit' : 'Submit', {onclick: async () => {
        try {
          await save();  // what is on the screen is what is submitted
        } catch (err) {
          if (!(err instanceof api.ApiError) || err.status === 401) throw err;
          return void showErrors(main, err, refs);
        }
        try {
          const r = await api.post(`/reviews/${id}/submit`);
          await afterChange(`Return ${id} ${r.state}: it is with the QA lead now.`);
        } catch (err) {
          if (!(err instanceof api.ApiError) || err.status === 401) throw err;
          // The save went through: draw the return as saved, then show why it was not submitted.
          pendingProblem = err;
          await refresh();
        }
      }});
      body.push(c.buttonGroup(saveButton, submitButton));
    }
    if (qaDeciding) {
      const returnButton = c.button('Return to auditor', {secondary: true, onclick: async () => {
        const given = Object.fromEntries(Object.entries(comments)
          .map(([qid, t]) => [qid, t.control.value]).filter(([, v]) => v.trim()));
        for (const t of Object.values(comments)) t.setError(null);
        if (!Object.keys(given).length) {
          const first = Object.values(comments)[0];
          first.setError('Enter a comment on at least one question');
          c.errorSummary(main, [{text: 'Enter a comment on at least one question to return it',
                                 href: `#${first.id}`}]);
          return;
        }
        try {
          const r = await api.post(`/reviews/${id}/return`, {comments: given});
          const n = Object.keys(given).length;
          await afterChange(`Return ${id} ${r.state} to ${review.auditor} with ${n} ` +
                            `${n === 1 ? 'comment' : 'comments'}.`);
        } catch (err) {
          if (!(err instanceof api.ApiError) || err.status === 401) throw err;
          showErrors(main, err, refs);
        }
      }});
      const acceptButton = c.button('Accept', {onclick: async () => {
        try {
          const r = await api.post(`/reviews/${id}/accept`);
          await afterChange(`Return ${id} ${r.state}.`);
        } catch (err) {
          if (!(err instanceof api.ApiError) || err.status === 401) throw err;
          showErrors(main, err, refs);
        }
      }});
      body.push(h('h2', {class: 'govuk-heading-m', text: 'Your decision'}),
                c.p('Accept the return, or return it to the auditor with a comment on at least one ' +
                    'question (the comment boxes are under each answer).'),
                c.buttonGroup(acceptButton, returnButton));
    }
    if (pendingProblem) {
      const err = pendingProblem;
      pendingProblem = null;
      document.addEventListener('pathaudit:rendered', () => showErrors(main, err, refs), {once: true});
    }
    return [...top, ...body];
  },
});

function qaComment(text) {
  return h('div', {class: 'govuk-inset-text app-qa-comment'},
           h('h3', {class: 'govuk-heading-s', text: 'QA lead\'s comment'}),
           h('p', {class: 'govuk-body', text}));
}

// ---- raising a live safeguarding concern

route('/reviews/:id/concern', {
  title: 'Raise a live safeguarding concern',
  roles: ['auditor', 'qa_lead'],
  async render(params) {
    const review = await api.get(`/reviews/${params.id}`);  // 404 for a return you may not see
    const main = document.getElementById('main-content');
    const description = c.textarea({
      label: 'Describe the concern', name: 'description', rows: 8, labelSize: 'm',
      hint: 'What you have seen in the records that suggests a child may be at risk now, and what ' +
            'your agency has done about it. It is encrypted and only QA leads can read it.',
    });
    const form = h('form', {novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      description.setError(null);
      if (!description.control.value.trim()) {
        description.setError('Enter a description of the concern');
        return void c.errorSummary(main, [{text: 'Enter a description of the concern',
                                           href: `#${description.id}`}]);
      }
      try {
        const r = await api.post(`/reviews/${review.id}/concerns`, {description: description.control.value});
        description.control.value = '';
        c.errorSummary(main, []);
        const told = r.qa_leads_notified === 0
          ? [c.warningText('No QA lead is active to be told. Follow your agency\'s safeguarding ' +
                           'procedure and tell the audit\'s QA lead now.')]
          : [];
        main.replaceChildren(
          c.notification(`Concern ${r.id} raised. ${r.qa_leads_notified} ` +
                         `${r.qa_leads_notified === 1 ? 'QA lead was' : 'QA leads were'} told.`,
                         {success: true}),
          c.heading('Concern raised'),
          ...told,
          c.p('Raising it here does not replace your agency\'s own safeguarding procedure.'),
          c.p(c.link(`Back to return ${review.id}`, `#/reviews/${review.id}`)));
        main.focus();
      } catch (err) {
        if (!(err instanceof api.ApiError) || err.status === 401) throw err;
        c.showProblem(main, err, {description});
      }
    }}, description.el, c.button('Raise the concern', {type: 'submit', warning: true}));
    return [
      c.backLink(`#/reviews/${review.id}`, `Back to return ${review.id}`),
      c.heading('Raise a live safeguarding concern', {caption: `Return ${review.id}, case ${review.child_key}`}),
      c.warningText('If a child may be at risk now, act today under your own agency\'s safeguarding ' +
                    'procedure. Raising a concern here does not replace that procedure and does not ' +
                    'make a referral.'),
      c.p('Every active QA lead is told at once, so they can check it is being acted on.'),
      form,
    ];
  },
});
