// Work-through keys: 1-5 choose a status, Enter saves and goes to the next unknown item.
// The form works without this file (a plain POST and a redirect).
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" && target.type !== "radio");
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (!typing && /^[1-5]$/.test(event.key)) {
      var radio = form.querySelector('input[name="status"][data-key="' + event.key + '"]');
      if (radio) { radio.checked = true; radio.focus(); event.preventDefault(); }
    } else if (event.key === "Enter" && !typing && target.tagName !== "A" && target.tagName !== "BUTTON") {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
  var checked = form.querySelector('input[name="status"]:checked') || form.querySelector('input[name="status"]');
  if (checked) { checked.focus(); }
})();
