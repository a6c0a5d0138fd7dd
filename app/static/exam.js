// Exam page: save each answer as it is given, and show the time left.
// The server owns the deadline and refuses late answers; this only informs.
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  if (!form) { return; }
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var status = document.getElementById("save-status");
  var base = form.getAttribute("data-save-url");

  function save(fieldset) {
    var index = fieldset.getAttribute("data-index");
    var body = new URLSearchParams();
    fieldset.querySelectorAll("input, select").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.name) { body.append(input.name, input.value); }
    });
    var mark = document.getElementById("q" + index + "-saved");
    mark.textContent = "Saving…";
    fetch(base + index, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok && result.data.saved) {
        mark.textContent = "Saved.";
      } else {
        mark.textContent = "Not saved.";
        status.textContent = result.data.message || "This answer could not be saved.";
      }
    }).catch(function () {
      mark.textContent = "Not saved: no connection. It will be sent with your next answer or when you submit.";
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) { save(fieldset); }
  });

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.value === "submit" &&
        !window.confirm("Submit your examination now? You cannot change your answers afterwards.")) {
      event.preventDefault();
    }
  });

  var deadline = document.getElementById("deadline");
  var left = document.getElementById("time-left");
  if (deadline && left) {
    var end = new Date(deadline.getAttribute("datetime")).getTime();
    var tick = function () {
      var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
      var minutes = Math.floor(seconds / 60);
      left.textContent = "About " + minutes + " minute" + (minutes === 1 ? "" : "s") + " left.";
      if (seconds === 0) { left.textContent = "Time is up."; }
    };
    tick();
    setInterval(tick, 15000);
  }
}());
