/* Ask before a step that cannot be undone by the person taking it (submitting or approving monthly
   results): any button or form carrying data-confirm="question" waits for an OK. Without JavaScript
   the form simply posts, which is acceptable because the action is recorded and can be reopened. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
