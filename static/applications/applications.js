/* 录入资助申请: show the college fields, the partner and the term for the chosen policy.
 * Served from our own static files (CSP script-src 'self'); without it every field shows. */
(function () {
  "use strict";

  function setup() {
    var data = document.getElementById("policy-options");
    var policy = document.getElementById("id_policy");
    if (!data || !policy) { return; }
    var options = {};
    JSON.parse(data.textContent).forEach(function (o) { options[String(o.pk)] = o; });
    var college = document.getElementById("college-fields");
    var partner = document.querySelector(".field-partner");
    var term = document.querySelector(".field-term");

    function update() {
      var chosen = options[policy.value] || { college: false, partners: [] };
      if (college) { college.classList.toggle("app-hidden", !chosen.college); }
      if (partner) { partner.classList.toggle("app-hidden", !chosen.partners.length); }
      if (term) { term.classList.toggle("app-hidden", chosen.college); }
    }
    policy.addEventListener("change", update);
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
