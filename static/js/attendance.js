// Attendance sheets: "全部出席" checks every member at once, then the few absent are unchecked.
// Without script the button posts and the page comes back with everyone checked.
(() => {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-qj-check-all]").forEach((button) => {
      const list = document.getElementById(button.dataset.qjCheckAll);
      if (!list) return;
      button.addEventListener("click", (event) => {
        event.preventDefault();
        list.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = true; });
        list.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  });
})();
