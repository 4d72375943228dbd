// The signed-in user and the session-expiry warning. Module state: the session as the service
// last described it (GET /api/v1/session), and the warning's timers. The session cookie itself is
// HttpOnly: this page never sees the token, only the CSRF token it must send on writes.
import * as api from './api.js';
import {h, clear} from './dom.js';
import {button} from './components.js';

let session = null;
let idleWindowMs = 0;
let lastActivity = 0;
let timers = [];
let onEnded = () => {};

export const user = () => (session ? session.user : null);

function adopt(answer) {
  session = answer;
  api.setCsrfToken(answer.csrf_token);
  // The idle window as the service counts it, measured against this clock so skew cancels out.
  idleWindowMs = Math.max(0, Date.parse(answer.idle_expires_at || answer.expires_at) - Date.now());
  activity();
}

// The session the cookie holds, or null.
export async function load() {
  try {
    adopt(await api.get('/session'));
  } catch (err) {
    if (!(err instanceof api.ApiError) || err.status !== 401) throw err;
    session = null;
  }
  return user();
}

export async function signIn(username, password) {
  api.setCsrfToken((await api.post('/session', {username, password, mode: 'cookie'})).csrf_token);
  // The sign-in answer has the absolute expiry only; the idle one comes with the session's.
  return load();
}

export async function signOut() {
  stopTimers();
  session = null;  // first, so the answer to the sign-out does not restart the timers
  try {
    await api.del('/session');
  } finally {
    api.setCsrfToken(null);
  }
}

// `f(reason)` runs when the session ends on its own ('expired') or the service refuses it.
export function onSessionEnded(f) {
  onEnded = f;
  api.setUnauthenticatedHandler(() => end('expired'));
  api.setAnsweredHandler(activity);
}

function end(reason) {
  stopTimers();
  session = null;
  api.setCsrfToken(null);
  onEnded(reason);
}

// The page's clock says the idle time is up. The service counts from when it handled the last
// request, a moment later, so it may still hold the session: sign out there too, so a session
// the page has let go cannot be picked up again (the sign-out is refused if it had ended already).
async function timedOut() {
  const csrf = session && session.csrf_token;
  end('expired');
  api.setCsrfToken(csrf);
  try {
    await api.del('/session');
  } catch {
    // ended on the service already
  } finally {
    api.setCsrfToken(null);
  }
}

function stopTimers() {
  timers.forEach(clearTimeout);
  timers = [];
  clear(document.getElementById('session-warning'));
}

// Every answered request counts as use: the service restarts its idle clock on each one.
export function activity() {
  if (!session) return;
  lastActivity = Date.now();
  stopTimers();
  const absolute = Date.parse(session.expires_at);
  const ends = Math.min(lastActivity + idleWindowMs, absolute);
  // Warn two minutes ahead, or halfway through a short idle window.
  const lead = Math.min(120000, idleWindowMs / 2);
  timers.push(setTimeout(() => warn(ends, ends === absolute), Math.max(0, ends - lead - Date.now())));
  timers.push(setTimeout(timedOut, Math.max(0, ends - Date.now())));
}

function warn(ends, absolute) {
  const region = document.getElementById('session-warning');
  clear(region);
  const minutes = Math.max(1, Math.round((ends - Date.now()) / 60000));
  const text = absolute
    ? `Your session ends in about ${minutes} minute${minutes === 1 ? '' : 's'}. Save your work: you will need to sign in again.`
    : `You will be signed out in about ${minutes} minute${minutes === 1 ? '' : 's'} unless you carry on. Anything you have not saved will be lost.`;
  const stay = absolute ? null : button('Stay signed in', {
    id: 'stay-signed-in',
    onclick: async () => {
      await api.get('/session');  // counts as use: the answer reschedules and clears the banner
    },
  });
  region.append(h('div', {class: 'govuk-notification-banner app-session-warning', role: 'alert',
                          'aria-labelledby': 'session-warning-title'},
                  h('div', {class: 'govuk-notification-banner__header'},
                    h('h2', {class: 'govuk-notification-banner__title', id: 'session-warning-title',
                             text: 'Important'})),
                  h('div', {class: 'govuk-notification-banner__content'},
                    h('p', {class: 'govuk-notification-banner__heading', text}), stay)));
}
