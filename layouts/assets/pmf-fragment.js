/* A link to part of a page (/data?run=12#rejected-run-12) brings that part into view and moves
   focus to it once the page has drawn it: Dash draws pages after the browser has looked for the
   #fragment, and a link within the dashboard does not reload the page at all. */
(function () {
  var handled = null;
  function bringIntoView() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id || handled === window.location.href) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    handled = window.location.href;
    if (!target.hasAttribute('tabindex')) { target.setAttribute('tabindex', '-1'); }
    target.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
  }
  new MutationObserver(bringIntoView).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener('hashchange', function () { handled = null; bringIntoView(); });
  window.addEventListener('popstate', bringIntoView);
})();
