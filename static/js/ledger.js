// Ledger pages: the mechanism form offers the problems of the chosen organization's subtree, so
// choosing another organization reloads the form for it (the organization comes first on the form).
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("mechanism-form");
    var select = form && form.querySelector("select[name=organization]");
    if (!select) return;
    select.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.delete("problem");
      if (select.value) url.searchParams.set("org", select.value);
      else url.searchParams.delete("org");
      window.location.assign(url.toString());
    });
  });
})();
