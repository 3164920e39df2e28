/* Focus for the returns pages: when a form is redrawn after Save, Submit, Approve, Send back
   or an upload, move focus to what the reader must read first, as GOV.UK forms do: the error
   summary if something was refused, else the success banner, else the redrawn region. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  pmfReturns: {
    focusOutcome: function (children, containerId) {
      if (!children) { return null; }
      window.setTimeout(function () {
        const container = document.getElementById(containerId);
        if (!container) { return; }
        const target = container.querySelector('.pmf-error-summary') ||
          container.querySelector('.pmf-banner-success') || container;
        target.focus({ preventScroll: true });
        target.scrollIntoView({ block: 'start' });
      }, 0);
      return Date.now();
    }
  }
});
