// Progressive enhancement only: every control already works as a plain link or form without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // submit the search form as soon as the sort order changes, instead of waiting for "Apply"
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.submit(); }
    });
  });
})();
