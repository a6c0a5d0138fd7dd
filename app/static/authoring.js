// Live preview for the lesson editor: sends the text to the server's
// Markdown pipeline (the same one the lesson page uses) and shows the
// sanitized HTML it returns. No rendering happens in the browser.
(function () {
  "use strict";
  var form = document.getElementById("lesson-editor");
  if (!form) { return; }
  var source = form.querySelector("textarea");
  var preview = document.getElementById("preview");
  var problems = document.getElementById("preview-problems");
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var timer = null;
  var sent = 0;

  function refresh() {
    var mine = ++sent;
    var body = new URLSearchParams();
    body.set("source", source.value);
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      headers: { "X-CSRFToken": token },
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("preview failed: " + response.status); }
      return response.json();
    }).then(function (data) {
      if (mine !== sent) { return; }  // a newer request is on its way
      preview.innerHTML = data.html;  // sanitized by the server's allow-list
      problems.textContent = data.problems.length ? data.problems.join("; ") : "Preview up to date.";
    }).catch(function (error) {
      problems.textContent = "Preview unavailable: " + error.message;
    });
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
}());
