// Attendance sheet: tick or clear every checkbox of one name at once.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-qj-check-all], [data-qj-check-none]");
  if (!button) return;
  const name = button.dataset.qjCheckAll || button.dataset.qjCheckNone;
  const checked = "qjCheckAll" in button.dataset;
  for (const box of button.form.querySelectorAll(`input[type=checkbox][name="${name}"]`)) box.checked = checked;
});
