// Small behaviours kept out of the templates so the CSP can forbid inline script.
(() => {
  "use strict";

  // Auto-submit plain (non-htmx) filter forms when a select changes; a button remains.
  function bindAutosubmit(root) {
    root.querySelectorAll("form[data-qj-autosubmit] select").forEach((el) => {
      if (el.dataset.qjBound) return;
      el.dataset.qjBound = "1";
      el.addEventListener("change", () => el.form.requestSubmit());
    });
  }

  // Organization tree: collapse/expand one node, all nodes, or down to two levels.
  function setCollapsed(node, collapsed) {
    node.classList.toggle("qj-collapsed", collapsed);
    const toggle = node.querySelector(":scope > .qj-node-row [data-qj-toggle]");
    if (toggle) toggle.setAttribute("aria-expanded", String(!collapsed));
  }

  function bindTree(root) {
    const tree = root.querySelector("[data-qj-tree-root]");
    if (!tree) return;
    tree.addEventListener("click", (event) => {
      const toggle = event.target.closest("[data-qj-toggle]");
      if (!toggle) return;
      const node = toggle.closest(".qj-node");
      setCollapsed(node, !node.classList.contains("qj-collapsed"));
    });
    document.querySelectorAll("[data-qj-tree]").forEach((button) => {
      button.addEventListener("click", () => {
        const expand = button.dataset.qjTree === "expand";
        tree.querySelectorAll(".qj-node").forEach((node) => {
          let depth = 0;
          for (let up = node.parentElement.closest(".qj-node"); up; up = up.parentElement.closest(".qj-node")) depth += 1;
          setCollapsed(node, !expand && depth >= 1);
        });
      });
    });
  }

  // Filter a long checkbox list by name: <input data-qj-filter="list-id">.
  function bindChecklists(root) {
    root.querySelectorAll("[data-qj-filter]").forEach((input) => {
      const list = document.getElementById(input.dataset.qjFilter);
      if (!list) return;
      input.addEventListener("input", () => {
        const text = input.value.trim();
        list.querySelectorAll("[data-qj-filter-item]").forEach((item) => {
          item.hidden = text !== "" && !item.dataset.qjFilterItem.includes(text);
        });
      });
    });
    root.querySelectorAll("[data-qj-checked-count]").forEach((counter) => {
      const list = document.getElementById(counter.dataset.qjCheckedCount);
      if (!list) return;
      const update = () => { counter.textContent = list.querySelectorAll("input[type=checkbox]:checked").length; };
      list.addEventListener("change", update);
      update();
    });
  }

  // Show a block only while a select has one value (an import's own options with its kind):
  // <div data-qj-show-when="select-id" data-qj-show-value="entities">.
  function bindShowWhen(root) {
    root.querySelectorAll("[data-qj-show-when]").forEach((block) => {
      const select = document.getElementById(block.dataset.qjShowWhen);
      if (!select) return;
      const update = () => { block.hidden = select.value !== block.dataset.qjShowValue; };
      select.addEventListener("change", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    bindAutosubmit(document);
    bindTree(document);
    bindChecklists(document);
    bindShowWhen(document);

    // Confirm consequential actions: <button data-qj-confirm="确定吗？">.
    document.body.addEventListener("click", (event) => {
      const target = event.target.closest("[data-qj-confirm]");
      if (target && !window.confirm(target.dataset.qjConfirm)) {
        event.preventDefault();
        event.stopPropagation();
      }
    });

    // Filter forms send only the filters in use, so the pushed address stays short and readable.
    document.body.addEventListener("htmx:configRequest", (event) => {
      if (!event.detail.elt.closest("[data-qj-clean-params]") || event.detail.verb !== "get") return;
      const params = event.detail.parameters;
      for (const key of Array.from(params.keys ? params.keys() : Object.keys(params))) {
        const value = params.get ? params.get(key) : params[key];
        if (value === "" || value === null) {
          if (params.delete) params.delete(key); else delete params[key];
        }
      }
    });

    // The member filter form: keep the hidden sort field in step with a clicked header, so a
    // later filter change keeps the chosen order.
    document.body.addEventListener("htmx:pushedIntoHistory", () => {
      const form = document.getElementById("member-filters");
      if (!form) return;
      const params = new URLSearchParams(window.location.search);
      const sort = form.querySelector("input[name=sort]");
      if (sort && params.get("sort")) sort.value = params.get("sort");
      const exportForm = document.querySelector("form[data-qj-export]");
      if (exportForm) {
        ["q", "org", "status", "flag", "sort"].forEach((key) => {
          const field = exportForm.querySelector(`input[name=${key}]`);
          if (field) field.value = params.get(key) || "";
        });
      }
    });
  });
})();
