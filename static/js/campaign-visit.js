// The visit form on a phone with weak signal (新连心走访).
//
// - As the team member types, the form is kept in localStorage under its key (task or visit),
//   with the client_uuid the server put in the hidden input: a reload keeps what was typed.
// - Submitting sends the form with fetch. When the network is down (or the request fails), the
//   visit is queued in localStorage and sent again when the `online` event fires or when any page
//   loading this script opens; the server stores a visit once per client_uuid, so sending twice is
//   harmless.
// - After a successful send the stored copy is cleared and the result shown.
(function () {
  "use strict";

  var QUEUE = "qj-visit-queue";
  var DRAFT = "qj-visit-draft:";
  var OFFLINE = "网络已断开，走访记录已保存在本机，恢复网络后将自动提交";
  var sending = false;

  function load(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      // Storage full or disabled: the form still submits normally when online.
    }
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function formPairs(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function restore(form, pairs) {
    var values = {};
    pairs.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") return;
      var given = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") el.checked = !!given && given.indexOf(el.value) !== -1;
      else if (given) el.value = given[0];
    });
  }

  function queue() {
    return load(QUEUE, []);
  }

  function enqueue(entry) {
    var items = queue().filter(function (item) {
      return item.key !== entry.key;
    });
    items.push(entry);
    store(QUEUE, items);
  }

  function dequeue(key) {
    store(
      QUEUE,
      queue().filter(function (item) {
        return item.key !== key;
      })
    );
  }

  function alertBox(target, kind, text, link) {
    if (!target) return;
    target.textContent = "";
    var box = document.createElement("div");
    box.className = "alert alert-" + kind + " mb-3";
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    box.appendChild(document.createTextNode(text));
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.className = "ms-2 alert-link";
      a.textContent = link.text;
      box.appendChild(a);
    }
    target.appendChild(box);
  }

  function outbox(kind, text, link) {
    var box = document.getElementById("visit-outbox");
    if (!box) return;
    box.textContent = "";
    if (!text) {
      box.className = "alert d-none";
      return;
    }
    box.className = "alert alert-" + kind;
    box.appendChild(document.createTextNode(text));
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.className = "ms-2 alert-link";
      a.textContent = link.text;
      box.appendChild(a);
    }
  }

  function showQueued() {
    // The form on this page says it for its own visit; the banner counts the others.
    var own = form ? form.dataset.visitKey : null;
    var count = queue().filter(function (e) {
      return e.key !== own;
    }).length;
    if (count) outbox("warning", OFFLINE + "（" + (own ? "另有" : "本机保存") + count + "条）");
  }

  // One try to send an entry: resolves to {status, body}; rejects when the network fails.
  function send(entry) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    return window
      .fetch(entry.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) return { status: response.status, body: null };
        return response.json().then(function (json) {
          return { status: response.status, body: json };
        });
      });
  }

  var form = null;
  var status = null;

  function clearErrors() {
    if (!form) return;
    form.querySelectorAll("[data-js-error]").forEach(function (el) {
      el.remove();
    });
    form.querySelectorAll(".is-invalid").forEach(function (el) {
      el.classList.remove("is-invalid");
    });
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (!field || field.type === "hidden") return;
      var box = field.closest("fieldset") || field.closest(".mb-3") || field.parentElement;
      var details = field.closest("details");
      if (details) details.open = true;
      if (field.type !== "checkbox" && field.type !== "radio") field.classList.add("is-invalid");
      var div = document.createElement("div");
      div.className = "invalid-feedback d-block";
      div.setAttribute("data-js-error", "");
      div.textContent = errors[name].join(" ");
      box.appendChild(div);
    });
  }

  function handled(entry, result) {
    var mine = form && form.dataset.visitKey === entry.key;
    var body = result.body;
    if (body && body.ok) {
      dequeue(entry.key);
      store(DRAFT + entry.key, null);
      if (mine) {
        clearErrors();
        alertBox(status, "success", body.message, { href: body.url, text: "查看走访记录" });
        Array.prototype.forEach.call(form.elements, function (el) {
          el.disabled = true;
        });
      } else {
        outbox("success", "本机保存的走访记录“" + entry.title + "”已提交。", { href: body.url, text: "查看" });
      }
      return;
    }
    if (body) {
      // The server refused it as it is (a rule or a field): keep the draft to correct it.
      dequeue(entry.key);
      var draft = load(DRAFT + entry.key, { fields: entry.fields });
      draft.errors = body.errors || {};
      draft.message = body.message || "提交未成功，请修改后重新提交。";
      store(DRAFT + entry.key, draft);
      if (mine) {
        alertBox(status, "danger", draft.message);
        showErrors(draft.errors);
      } else {
        outbox("danger", "本机保存的走访记录“" + entry.title + "”未能提交：" + draft.message, { href: entry.page, text: "打开修改" });
      }
      return;
    }
    if (result.status === 403 || result.status === 404) {
      dequeue(entry.key);
      var text = "走访记录“" + entry.title + "”无法提交：该任务已不在您的走访范围内。";
      if (mine) alertBox(status, "danger", text);
      else outbox("danger", text);
      return;
    }
    // Not an answer of the form (e.g. the login page after the session ended): keep it queued.
    var login = "登录已失效，走访记录仍保存在本机，请重新登录后自动提交。";
    if (mine) alertBox(status, "warning", login);
    else outbox("warning", login);
  }

  function flush() {
    if (sending || !navigator.onLine) return Promise.resolve();
    var items = queue();
    if (!items.length) return Promise.resolve();
    sending = true;
    var chain = Promise.resolve();
    items.forEach(function (entry) {
      chain = chain.then(function () {
        return send(entry).then(
          function (result) {
            handled(entry, result);
          },
          function () {
            throw new Error("offline");
          }
        );
      });
    });
    return chain
      .catch(function () {
        showQueued();
        if (form && queue().some(function (e) { return e.key === form.dataset.visitKey; })) alertBox(status, "warning", OFFLINE);
      })
      .then(function () {
        sending = false;
      });
  }

  function bindForm() {
    form = document.getElementById("visit-form");
    if (!form) return;
    status = document.getElementById("visit-status");
    var key = form.dataset.visitKey;
    var serverErrors = form.querySelector(".invalid-feedback, .alert-danger");
    var draft = load(DRAFT + key, null);
    if (draft && !serverErrors) {
      restore(form, draft.fields);
      if (draft.message) {
        alertBox(status, "danger", draft.message);
        showErrors(draft.errors);
      } else {
        alertBox(status, "info", "已恢复本机保存的填写内容。");
      }
    }
    if (queue().some(function (e) { return e.key === key; })) alertBox(status, "warning", OFFLINE);

    function keep() {
      var current = load(DRAFT + key, {});
      store(DRAFT + key, { fields: formPairs(form), savedAt: new Date().toISOString(), errors: current.errors, message: current.message });
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      keep();
      var entry = {
        key: key,
        url: form.action,
        page: window.location.pathname,
        title: form.dataset.visitTitle || "",
        fields: formPairs(form),
        queuedAt: new Date().toISOString(),
      };
      var button = document.getElementById("visit-submit");
      if (!navigator.onLine) {
        enqueue(entry);
        alertBox(status, "warning", OFFLINE);
        showQueued();
        return;
      }
      if (button) button.disabled = true;
      send(entry)
        .then(
          function (result) {
            handled(entry, result);
          },
          function () {
            enqueue(entry);
            alertBox(status, "warning", OFFLINE);
            showQueued();
          }
        )
        .then(function () {
          if (button && !(form.elements[0] && form.elements[0].disabled)) button.disabled = false;
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindForm();
    if (navigator.onLine) flush();
    else showQueued();
    window.addEventListener("online", function () {
      if (!queue().length) return;
      outbox("info", "网络已恢复，正在提交本机保存的走访记录…");
      flush().then(function () {
        var box = document.getElementById("visit-outbox");
        if (box && box.classList.contains("alert-info")) outbox("", "");
      });
    });
    window.addEventListener("offline", function () {
      showQueued();
    });
  });
})();
