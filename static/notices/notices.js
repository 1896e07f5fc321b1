/* The notice pages: copy a public link; school and policy choices that filter each other.
 * Served from our own static files (CSP script-src 'self'); the pages work without it. */
(function () {
  "use strict";

  function copyText(input, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = "已复制";
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { fallback(input, done); });
    } else {
      fallback(input, done);
    }
  }

  function fallback(input, done) {
    // Plain-http intranet servers have no clipboard API: select the text and copy it.
    input.focus();
    input.select();
    try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the text stays selected */ }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.notice-copy");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (input) { copyText(input, button); }
  });

  function setupPairs() {
    var data = document.getElementById("notice-pairs");
    var term = document.getElementById("id_term");
    var school = document.getElementById("id_school");
    var policy = document.getElementById("id_policy");
    if (!data || !term || !school || !policy) { return; }
    var pairs = JSON.parse(data.textContent);  // [[term, school, policy], ...]

    function allowed(position, fixed) {
      var found = {};
      pairs.forEach(function (p) {
        var fits = fixed.every(function (f) { return !f[1] || String(p[f[0]]) === f[1]; });
        if (fits) { found[String(p[position])] = true; }
      });
      return found;
    }

    function narrow(select, found) {
      Array.prototype.forEach.call(select.options, function (option) {
        var keep = !option.value || found[option.value];
        option.hidden = !keep;
        option.disabled = !keep;
      });
      if (select.value && !found[select.value]) { select.value = ""; }
    }

    function update() {
      narrow(school, allowed(1, [[0, term.value], [2, policy.value]]));
      narrow(policy, allowed(2, [[0, term.value], [1, school.value]]));
    }

    [term, school, policy].forEach(function (select) { select.addEventListener("change", update); });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupPairs);
  } else {
    setupPairs();
  }
})();
