/* Keep a page's filters in its query string, so a link reproduces exactly what is on screen.
   replaceState does not trigger Dash's router, so the page is not re-rendered and focus stays put. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  pmf: {
    syncQuery: function () {
      const args = Array.prototype.slice.call(arguments);
      const names = args.pop() || [];
      const params = new URLSearchParams(window.location.search);
      names.forEach(function (name, i) {
        const value = args[i];
        const empty = value === null || value === undefined || value === '' || value === false ||
          (Array.isArray(value) && value.length === 0);
        if (empty) { params.delete(name); } else { params.set(name, Array.isArray(value) ? value.join(',') : String(value)); }
      });
      const qs = params.toString();
      window.history.replaceState(window.history.state, '', window.location.pathname + (qs ? '?' + qs : ''));
      return qs;
    }
  }
});
