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
