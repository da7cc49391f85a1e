// Small behaviours kept out of the templates so the CSP can forbid inline script.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submit filter forms when a select changes (progressive enhancement: a button remains).
  document.querySelectorAll("form[data-qj-autosubmit] select").forEach((el) => {
    el.addEventListener("change", () => el.form.requestSubmit());
  });
  // Confirm dangerous actions: <button data-qj-confirm="确定吗？">.
  document.body.addEventListener("click", (event) => {
    const target = event.target.closest("[data-qj-confirm]");
    if (target && !window.confirm(target.dataset.qjConfirm)) {
      event.preventDefault();
      event.stopPropagation();
    }
  });
});
