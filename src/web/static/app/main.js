// The browser UI's entry point: marks the page as scripted for GOV.UK Frontend, builds the
// navigation for the signed-in role, and starts the router. Each screen module registers its
// routes when imported; the list below is every screen of the service.
import {h, clear} from './dom.js';
import * as router from './router.js';
import * as session from './session.js';
import './screens/session.js';
import './screens/reviews.js';
import './screens/cases.js';
import './screens/admin.js';
import './screens/audits.js';
import './screens/casework.js';
import './screens/exports.js';

// Each role's menu, in the order of its work (docs/*-guide.md). The first item is its home page.
const menus = {
  auditor: [['My returns', '/returns']],
  qa_lead: [['Audits', '/audits'], ['Upload extracts', '/imports'], ['Flags', '/flags'],
            ['Returns', '/returns'], ['Concerns', '/concerns'], ['Actions', '/actions'],
            ['Exports', '/exports']],
  admin: [['Users', '/users'], ['Agencies', '/agencies'], ['Keys', '/keys'],
          ['Audit log', '/audit-log']],
  board: [['Exports', '/exports']],
};

export function home(role) {
  return (menus[role] || [[null, '/sign-in']])[0][1];
}

function navigation() {
  const user = session.user();
  const section = document.getElementById('service-navigation');
  const list = clear(document.getElementById('navigation'));
  section.hidden = !user;
  if (!user) return;
  const path = router.currentPath();
  const items = [...(menus[user.role] || []), ['Sign out', '/sign-out']];
  for (const [text, href] of items) {
    const active = path === href || path.startsWith(`${href}/`);
    list.append(h('li', {class: `govuk-service-navigation__item${active ? ' govuk-service-navigation__item--active' : ''}`},
                  h('a', {class: 'govuk-service-navigation__link', href: `#${href}`,
                          'aria-current': active ? 'page' : null},
                    active ? h('strong', {class: 'govuk-service-navigation__active-fallback', text}) : text)));
  }
}

export function refreshNavigation() {
  router.setContext({user: session.user(), home: home((session.user() || {}).role)});
  navigation();
}

async function boot() {
  document.body.classList.add('js-enabled', 'govuk-frontend-supported');
  // The skip link's target is a fragment, which the router would take for a route: focus instead.
  document.getElementById('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    document.getElementById('main-content').focus();
  });
  session.onSessionEnded((reason) => {
    refreshNavigation();
    router.navigate(`/sign-in${reason === 'expired' ? '?ended=1' : ''}`);
  });
  await session.load();
  refreshNavigation();
  document.addEventListener('pathaudit:rendered', navigation);
  if (router.currentPath() === '/' || (!session.user() && router.currentPath() !== '/sign-in'))
    history.replaceState(null, '', `#${session.user() ? home(session.user().role) : '/sign-in'}`);
  router.start();
}

boot();
