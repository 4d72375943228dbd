// Hash routing: '#/reviews/12' is the screen of return 12. Only ids and filter codes go in the
// fragment, never case content (issue 9); the fragment is not sent to the server either. Module
// state: the route table, filled by each screen module when main.js imports it.
import {h, clear} from './dom.js';
import {heading, p, link} from './components.js';
import {ApiError} from './api.js';

const routes = [];
let context = {user: null};
let current = 0;

// route('/reviews/:id', {title, roles: ['auditor', 'qa_lead'], render(params, query, ctx)}).
// render returns a Node (or a Promise of one); title is a string or a function of params.
export function route(pattern, spec) {
  const names = [];
  const re = new RegExp('^' + pattern.replace(/:[a-z_]+/g, (m) => {
    names.push(m.slice(1));
    return '([0-9A-Za-z._-]+)';
  }) + '$');
  routes.push({re, names, ...spec});
}

export function setContext(ctx) {
  context = ctx;
}

export function navigate(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

export function currentPath() {
  return location.hash.startsWith('#/') ? location.hash.slice(1).split('?')[0] : '/';
}

function currentQuery() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

function errorPage(err) {
  if (err instanceof ApiError && err.status === 404)
    return [heading('Page not found'),
            p('If you typed the web address, check it is correct. You may not have access to this page.'),
            p(link('Go to your home page', '#/'))];
  if (err instanceof ApiError && err.status === 403)
    return [heading('You do not have access to this page'),
            p('Your role does not allow this. Ask your QA lead or administrator if you need it.')];
  return [heading('Sorry, there is a problem with the service'),
          p('Try again later. What you entered has not been lost if you saw it saved.'),
          err instanceof ApiError && err.detail ? p(err.detail) : null];
}

// Renders the current fragment's screen into <main>, sets the title and moves focus to the page
// so screen reader users hear the new page (GOV.UK single-page guidance).
export async function render({focus = true} = {}) {
  const main = document.getElementById('main-content');
  const path = currentPath();
  const token = ++current;
  let title = 'Page not found';
  let nodes;
  const match = routes.map((r) => ({r, m: r.re.exec(path)})).find((x) => x.m);
  try {
    if (!match) throw new ApiError(404, {});
    const {r, m} = match;
    if (r.roles && (!context.user || !r.roles.includes(context.user.role)))
      throw new ApiError(context.user ? 403 : 404, {});
    const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    title = typeof r.title === 'function' ? r.title(params) : r.title;
    main.setAttribute('aria-busy', 'true');
    nodes = await r.render(params, currentQuery(), context);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;  // the session handler took over
    if (!(err instanceof ApiError)) console.error(err);
    title = err instanceof ApiError && err.status === 403 ? 'No access' :
            err instanceof ApiError && err.status === 404 ? 'Page not found' : 'Problem';
    nodes = errorPage(err);
  }
  if (token !== current) return;  // a later navigation won
  clear(main);
  main.append(...[nodes].flat(Infinity).filter(Boolean));
  main.removeAttribute('aria-busy');
  document.title = `${title} - pathaudit`;
  if (focus) main.focus();
  document.dispatchEvent(new CustomEvent('pathaudit:rendered', {detail: {path}}));
}

export function start() {
  window.addEventListener('hashchange', () => {
    if (location.hash === '' || location.hash.startsWith('#/')) render();
  });
  render({focus: false});
}

// Re-render the current screen (after a change) keeping focus handling to the caller.
export const refresh = () => render({focus: false});
