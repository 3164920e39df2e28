/* Focus for the flags and actions page: when a flag's panel is drawn (opened, refused or
   saved), move focus to what the reader must read first, as GOV.UK forms do. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  pmfForms: {
    focusFlagPanel: function (children) {
      if (!children) { return null; }
      window.setTimeout(function () {
        const target = document.getElementById('flag-error-summary') ||
          document.getElementById('flag-saved') ||
          document.getElementById('flag-panel');
        if (target) {
          target.focus({ preventScroll: true });
          target.scrollIntoView({ block: 'start' });
        }
      }, 0);
      return Date.now();
    }
  }
});

/* An error summary's link to a group of radios moves focus to the chosen (or first) radio,
   as GOV.UK's error summary does; links to a single field need nothing. */
document.addEventListener('click', function (event) {
  const link = event.target.closest && event.target.closest('.pmf-error-summary a[href^="#"]');
  if (!link) { return; }
  const group = document.getElementById(link.getAttribute('href').slice(1));
  if (!group || group.matches('input, select, textarea')) { return; }
  const radio = group.querySelector('input[type=radio]:checked') ||
    group.querySelector('input[type=radio]');
  if (radio) {
    event.preventDefault();
    radio.focus();
    group.scrollIntoView({ block: 'center' });
  }
});
