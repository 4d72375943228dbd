// Signing in and out. The sign-in page is the only screen without a session.
import {h} from '../dom.js';
import * as c from '../components.js';
import * as session from '../session.js';
import {route, navigate} from '../router.js';
import {home, refreshNavigation} from '../main.js';

route('/sign-in', {
  title: 'Sign in',
  render(params, query) {
    const main = document.getElementById('main-content');
    const username = c.input({label: 'Username', name: 'username', autocomplete: 'username',
                              spellcheck: false, width: 20});
    const password = c.input({label: 'Password', name: 'password', type: 'password',
                              autocomplete: 'current-password', width: 20});
    const form = h('form', {novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const missing = [];
      username.setError(null);
      password.setError(null);
      if (!username.control.value.trim()) {
        username.setError('Enter your username');
        missing.push({text: 'Enter your username', href: `#${username.id}`});
      }
      if (!password.control.value) {
        password.setError('Enter your password');
        missing.push({text: 'Enter your password', href: `#${password.id}`});
      }
      if (missing.length) return void c.errorSummary(main, missing);
      try {
        const user = await session.signIn(username.control.value.trim(), password.control.value);
        password.control.value = '';
        refreshNavigation();
        navigate(home(user.role));
      } catch (err) {
        password.control.value = '';
        // One answer for every refusal (unknown, disabled, locked, wrong password): say so.
        const text = err.status === 401
          ? 'The username or password is not right, or the account is locked or disabled. Ask your administrator if this keeps happening.'
          : err.message;
        c.errorSummary(main, [{text, href: `#${username.id}`}]);
      }
    }}, username.el, password.el, c.button('Sign in', {type: 'submit'}));
    return [
      query.get('ended') ? c.notification('Your session ended, so you were signed out. Sign in again to carry on.', {title: 'Signed out'}) : null,
      c.heading('Sign in to pathaudit'),
      c.p('Use the account your administrator gave you. Do not share it.'),
      form,
    ];
  },
});

route('/sign-out', {
  title: 'Signed out',
  async render() {
    if (session.user()) await session.signOut();
    refreshNavigation();
    return [c.heading('You have signed out'),
            c.p('Close the browser window if you are using a shared computer.'),
            c.p(c.link('Sign in again', '#/sign-in'))];
  },
});
