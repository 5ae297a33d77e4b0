/* Small enhancements only: every page works without this file. */
(function () {
  "use strict";
  function showToasts(messages) {
    var box = document.getElementById("toasts");
    if (!box) return;
    messages.forEach(function (m) {
      var p = document.createElement("p");
      p.className = "toast toast-" + (m.level || "success");
      p.textContent = m.message;
      box.appendChild(p);
      setTimeout(function () { p.remove(); }, 6000);
    });
  }
  document.addEventListener("toast", function (e) {
    if (e.detail && e.detail.messages) showToasts(e.detail.messages);
  });
  document.addEventListener("htmx:sendError", function () {
    showToasts([{ message: document.body.dataset.offlineMessage, level: "error" }]);
  });
  /* Remove no-JS fallbacks (e.g. the area picker's "update" button) once htmx is running: merely hidden, such a
     button would still be its form's default, so Enter in a text field would "update the list" instead of sending. */
  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
  });
  document.addEventListener("htmx:load", function () {
    document.querySelectorAll("[data-nojs-only]").forEach(function (el) { el.remove(); });
  });
  /* A photo over the size limit is refused on the phone, before minutes of upload on a weak connection. */
  document.addEventListener("change", function (e) {
    var input = e.target, body = document.body;
    if (input.type !== "file" || !body.dataset.photoMax) return;
    var tooBig = Array.prototype.some.call(input.files || [], function (f) {
      return f.size > Number(body.dataset.photoMax);
    });
    var note = input.parentNode.querySelector(".error-js");
    if (note) note.remove();
    if (!tooBig) return;
    input.value = "";
    note = document.createElement("p");
    note.className = "error error-js";
    note.setAttribute("role", "alert");
    note.textContent = body.dataset.photoTooBig;
    input.insertAdjacentElement("afterend", note);
  });
  /* Submit buttons are disabled while their form is in flight: no double posts. */
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset.submitted) { e.preventDefault(); return; }
    form.dataset.submitted = "1";
    setTimeout(function () { delete form.dataset.submitted; }, 4000);
  }, true);
  /* A refused action's message may be swapped in above the viewport (the form is far down a long page): after a
     swap, the first message (role="alert" or data-focus-error) in the new content is scrolled to the middle and
     focused, so the tap visibly answers and a screen reader reads it. Error responses (4xx/5xx) are swapped too
     (see htmx-config in base.html), so this covers them. */
  function errorIn(root) {
    if (!root || root.nodeType !== 1 || !document.contains(root)) return null;
    var all = [root].concat(Array.prototype.slice.call(root.querySelectorAll("[data-focus-error], [role=alert]")));
    for (var i = 0; i < all.length; i++) {
      if (all[i].matches("[data-focus-error], [role=alert]") && all[i].getClientRects().length) return all[i];
    }
    return null;
  }
  var answered = null;  /* the request whose message has been shown: htmx settles each swapped element apart */
  document.addEventListener("htmx:afterSettle", function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (xhr && xhr === answered) return;
    var el = errorIn(e.target);
    if (!el) return;
    answered = xhr;
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target.closest && e.target.closest("form");
    if (form) delete form.dataset.submitted;
  });
})();
