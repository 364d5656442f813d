/* The page's last script: loads the seller views' script once the page is shown, or at once when asked. */
(function () {
  'use strict';
  var loaded = false;
  function load() {
    var code = document.getElementById('app-code');
    if (loaded || !code) return !!code;
    loaded = true;
    var s = document.createElement('script');
    s.textContent = code.textContent;
    document.body.appendChild(s);
    return true;
  }
  function open(id) {
    if (load()) window.REPORT_OPEN(id);
  }
  function fromHash() {
    var m = /^#seller=(.+)$/.exec(location.hash);
    if (m) open(decodeURIComponent(m[1]));
  }
  var form = document.getElementById('search');
  if (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      open(document.getElementById('q').value.trim());
    });
    document.getElementById('q').addEventListener('focus', function () {
      if (load()) window.REPORT_LIST();
    });
  }
  window.addEventListener('hashchange', fromHash);
  // the charts are in the page's HTML, marked shown by the script after them; this one loads what opens the seller views
  requestAnimationFrame(function () {
    setTimeout(function () {
      load();
      fromHash();
      window.REPORT_DONE = true;
    }, 0);
  });
})();
